// k6 burst that builds consumer lag: BURST_RPS events/s for BURST_SECONDS, far above what one worker
// applies, so the group's lag rises; then nothing, so it drains. KEDA adds workers on EKS
// (docs/demos/04-keda-lag.md). Where the workers' /metrics are reachable (local stack: make load), a
// second scenario samples replicasafe_worker_consumer_lag once a second and reports the peak lag and
// the seconds from the end of the burst until the lag is back to 0.
//
//   k6 run --no-usage-report checks/load/lag-burst.js                                     (local)
//   BASE_URL=http://api.apps.svc:8080 k6 run --no-usage-report checks/load/lag-burst.js   (EKS Job)
//
// Environment: BASE_URL (default http://127.0.0.1:8080), API_KEY (required), BURST_RPS (default 300, at most 3000),
// BURST_SECONDS (default 30, at most 300), WORKER_METRICS_URLS (comma-separated worker /metrics URLs;
// unset = no lag sampling), DRAIN_SECONDS (default 180, at most 1800: how long to wait for the drain).
// Same target rule as api-load.js: 127.0.0.1, localhost or *.svc unless ALLOW_REMOTE_TARGET=1.
import http from 'k6/http';
import { check, fail, sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import exec from 'k6/execution';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
// The client's API key (`api keys create`): make load reads .local/stack/api-key, the EKS Jobs Secret api-load-key.
const API_KEY = __ENV.API_KEY || '';
const BURST_RPS = boundedInt('BURST_RPS', 300, 1, 3000);
const BURST_SECONDS = boundedInt('BURST_SECONDS', 30, 1, 300);
const DRAIN_SECONDS = boundedInt('DRAIN_SECONDS', 180, 10, 1800);
const METRICS_URLS = (__ENV.WORKER_METRICS_URLS || '').split(',').map((s) => s.trim()).filter((s) => s);

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
  if (!match) throw new Error(`${url} is not an http(s) URL`);
  const host = match[1];
  const local = host === '127.0.0.1' || host === 'localhost' || /\.svc(\.cluster\.local)?$/.test(host);
  if (!local && __ENV.ALLOW_REMOTE_TARGET !== '1') {
    throw new Error(`refusing to load ${host}: only 127.0.0.1, localhost or an in-cluster *.svc name (or ALLOW_REMOTE_TARGET=1)`);
  }
}
checkTarget(BASE_URL);
METRICS_URLS.forEach(checkTarget);

const scenarios = {
  burst: {
    executor: 'constant-arrival-rate',
    rate: BURST_RPS,
    timeUnit: '1s',
    duration: `${BURST_SECONDS}s`,
    preAllocatedVUs: Math.min(100, BURST_RPS),
    maxVUs: Math.min(600, BURST_RPS * 2),
    exec: 'produce',
  },
};
const thresholds = {
  http_req_failed: ['rate<0.01'],
  checks: ['rate>0.99'],
};
if (METRICS_URLS.length > 0) {
  scenarios.lag_probe = {
    executor: 'constant-vus',
    vus: 1,
    duration: `${BURST_SECONDS + DRAIN_SECONDS}s`,
    exec: 'probe',
    gracefulStop: '5s',
  };
  // The point of the test: lag must build during the burst and drain afterwards.
  thresholds.lag_events = ['max>0'];
  thresholds.lag_drained = ['rate==1'];
}

export const options = { scenarios, thresholds, summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'max'] };

const accepted = new Counter('events_accepted');
const lagEvents = new Trend('lag_events');
const drained = new Rate('lag_drained');
const drainSeconds = new Trend('lag_drain_seconds');

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

export function produce() {
  const event = {
    event_id: uuidv4(),
    account_id: `acct-${Math.floor(Math.random() * 1000)}`,
    amount_cents: (Math.floor(Math.random() * 20000) - 10000) || 1,
    occurred_at: new Date().toISOString(),
  };
  const res = http.post(`${BASE_URL}/v1/events`, JSON.stringify(event), {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': event.event_id, Authorization: `Bearer ${API_KEY}` },
    tags: { route: '/v1/events' },
    timeout: '10s',
  });
  if (check(res, { 'accepted (202)': (r) => r.status === 202 })) accepted.add(1);
}

// Sum of replicasafe_worker_consumer_lag over every reachable worker; null if none answered.
function currentLag() {
  let total = null;
  for (const url of METRICS_URLS) {
    const res = http.get(url, { timeout: '2s', tags: { name: 'worker-metrics' }, responseCallback: http.expectedStatuses(200) });
    if (res.status !== 200 || typeof res.body !== 'string') continue;
    for (const line of res.body.split('\n')) {
      if (line.startsWith('replicasafe_worker_consumer_lag{') || line.startsWith('replicasafe_worker_consumer_lag ')) {
        const value = Number(line.trim().split(/\s+/).pop());
        if (Number.isFinite(value)) total = (total || 0) + value;
      }
    }
  }
  return total;
}

let burstOverAt = null;
let sawLag = false;
let done = false;

export function probe() {
  if (done) { sleep(1); return; }
  const elapsed = (Date.now() - exec.scenario.startTime) / 1000;
  const lag = currentLag();
  if (lag !== null) {
    lagEvents.add(lag);
    if (lag > 0) sawLag = true;
  }
  if (elapsed >= BURST_SECONDS && burstOverAt === null) burstOverAt = Date.now();
  if (burstOverAt !== null && sawLag && lag === 0) {
    drainSeconds.add((Date.now() - burstOverAt) / 1000);
    drained.add(1);
    done = true;
  } else if (elapsed >= BURST_SECONDS + DRAIN_SECONDS - 2) {
    drained.add(0); // the window is over and the lag did not come back to 0
    done = true;
  }
  sleep(1);
}
