-- wrk script for scripts/live/bench-api.sh: POST /v1/events bodies that pass validation, spread over 1000
-- accounts, authenticated with API_KEY. With KEYED=1 each request carries a unique Idempotency-Key (exercises the
-- Postgres claim).
local thread_id = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

local counter = 0
local keyed = os.getenv("KEYED") == "1"
local run = os.getenv("RUN_ID") or "r"
local authorization = "Bearer " .. (os.getenv("API_KEY") or "")

function request()
  counter = counter + 1
  local body = string.format('{"account_id":"acct-%d","amount_cents":%d}', counter % 1000, (counter % 500) + 1)
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = authorization }
  if keyed then
    headers["Idempotency-Key"] = string.format("%s-%d-%d", run, id, counter)
  end
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f}\n',
    summary.requests, summary.duration, summary.errors.status, socket_errors,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
