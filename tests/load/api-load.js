// PLACEHOLDER written by the platform area so the k6 Job (apps/load) renders; the operations area owns this
// file and replaces it with the real load test. Bounded: 1 minute at 20 requests/s.
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';

export const options = {
  scenarios: {
    steady: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1m', preAllocatedVUs: 10 },
  },
  thresholds: { http_req_failed: ['rate<0.01'] },
};

// No remote imports: the k6 pod may only talk to the api (NetworkPolicy k6).
function uuidv4() {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

export default function () {
  const body = JSON.stringify({
    event_id: uuidv4(),
    account_id: `acct-${Math.floor(Math.random() * 100)}`,
    amount_cents: 100,
    occurred_at: new Date().toISOString(),
  });
  const res = http.post(`${BASE_URL}/v1/events`, body, { headers: { 'Content-Type': 'application/json' } });
  check(res, { 'accepted': (r) => r.status === 202 });
}
