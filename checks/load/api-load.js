// k6 load test of POST /v1/events: a ramp to RPS, a hold, a step to 2 x RPS, a hold, a ramp down.
// Thresholds are the API SLOs (docs/slo.md): p95 latency under 250 ms and fewer than 1 % failed requests.
// k6 exits 99 when a threshold is crossed.
//
//   k6 run --no-usage-report checks/load/api-load.js                      (local: make load)
//   BASE_URL=http://api.apps.svc:8080 k6 run --no-usage-report ...       (EKS: the k6-api-load Job)
//
// Environment: BASE_URL (default http://127.0.0.1:8080), API_KEY (required), RPS (default 50, at most 2000), STAGE_SECONDS
// (default 30, at most 300: each stage's length, so the whole run is 5 stages long), ACCOUNTS (default 1000).
// Bounded by construction: the arrival rate and the stage lengths are capped, and only 127.0.0.1,
// localhost or an in-cluster Service name (*.svc, *.svc.cluster.local) are accepted as targets, unless
// ALLOW_REMOTE_TARGET=1. No remote imports: the k6 pod may only talk to the api (NetworkPolicy k6).
import http from 'k6/http';
import { check, fail } from 'k6';
import { Counter } from 'k6/metrics';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
// The client's API key (`api keys create`): make load reads .local/stack/api-key, the EKS Jobs Secret api-load-key.
const API_KEY = __ENV.API_KEY || '';
const RPS = boundedInt('RPS', 50, 1, 2000);
const STAGE = boundedInt('STAGE_SECONDS', 30, 5, 300);
const ACCOUNTS = boundedInt('ACCOUNTS', 1000, 1, 1000000);

function boundedInt(name, fallback, min, max) {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${raw}: expected an integer between ${min} and ${max}`);
  }
  return value;
}

function checkTarget(url) {
  const match = /^https?:\/\/([^/:]+)(:\d+)?(\/.*)?$/.exec(url);
  if (!match) throw new Error(`BASE_URL=${url} is not an http(s) URL`);
  const host = match[1];
  const local = host === '127.0.0.1' || host === 'localhost' || /\.svc(\.cluster\.local)?$/.test(host);
  if (!local && __ENV.ALLOW_REMOTE_TARGET !== '1') {
    throw new Error(`refusing to load ${host}: only 127.0.0.1, localhost or an in-cluster *.svc name (or ALLOW_REMOTE_TARGET=1)`);
  }
}
checkTarget(BASE_URL);

export const options = {
  scenarios: {
    ramp: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      timeUnit: '1s',
      preAllocatedVUs: Math.min(50, RPS),
      maxVUs: Math.min(400, RPS * 4),
      stages: [
        { target: RPS, duration: `${STAGE}s` },
        { target: RPS, duration: `${STAGE * 2}s` },
        { target: RPS * 2, duration: `${STAGE}s` },
        { target: RPS * 2, duration: `${STAGE}s` },
        { target: 0, duration: '5s' },
      ],
      gracefulStop: '10s',
    },
  },
  thresholds: {
    'http_req_duration{route:/v1/events}': ['p(95)<250'],
    // Stop hammering a service that is plainly down (after 20 s of evidence).
    http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '20s' }],
    checks: ['rate>0.99'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

const accepted = new Counter('events_accepted');
const replays = new Counter('idempotent_replays_sent');

// RFC 4122 version 4 from Math.random: enough uniqueness for a bounded test, no crypto import needed.
function uuidv4() {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

export function setup() {
  const res = http.get(`${BASE_URL}/readyz`, { timeout: '5s' });
  if (res.status !== 200) fail(`api at ${BASE_URL} is not ready (GET /readyz -> ${res.status}); start it first (make up)`);
  if (!API_KEY) fail('API_KEY is not set: POST /v1/events needs an API key (api keys create; make up writes .local/stack/api-key)');
}

let last = null; // this VU's previous request, re-sent now and then with the same Idempotency-Key

export default function () {
  let body;
  let key;
  if (last !== null && Math.random() < 0.02) {
    ({ body, key } = last);
    replays.add(1);
  } else {
    const event = {
      event_id: uuidv4(),
      account_id: `acct-${Math.floor(Math.random() * ACCOUNTS)}`,
      amount_cents: (Math.floor(Math.random() * 20000) - 10000) || 1,
      occurred_at: new Date().toISOString(),
    };
    body = JSON.stringify(event);
    key = event.event_id;
    last = { body, key };
  }
  const res = http.post(`${BASE_URL}/v1/events`, body, {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, Authorization: `Bearer ${API_KEY}` },
    tags: { route: '/v1/events' },
    timeout: '10s',
  });
  // A replay is answered from the stored key: 202 again, or 200 if the api says so.
  const ok = check(res, { 'accepted (202)': (r) => r.status === 202 || r.status === 200 });
  if (ok) accepted.add(1);
}
