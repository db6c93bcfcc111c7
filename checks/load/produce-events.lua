-- wrk script for scripts/stack/bench-worker.sh: POSTs each line of EVENTS_FILE (one JSON body per line) once to
-- /v1/events, authenticated with API_KEY, then stops. Run with one wrk thread. Once every body is sent, each
-- connection asks GET /healthz (200) every 100 ms; a POST is answered with anything but 200 (202 when accepted).
-- The run ends when every POST has its answer, or 3 s after the last answer (wrk drops a request in flight when it
-- reconnects a connection): the caller compares the api's accepted counter with the number of bodies.
local bodies = {}
local sent = 0
local answered = 0
local last_answer = os.time()
local authorization = "Bearer " .. (os.getenv("API_KEY") or "")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = authorization }

function init(args)
  for line in io.lines(os.getenv("EVENTS_FILE")) do
    bodies[#bodies + 1] = wrk.format("POST", "/v1/events", headers, line)
  end
end

function delay()
  if sent < #bodies then return 0 end
  return 100
end

-- wrk calls request() once before the run to check what it returns, and discards that request.
local checked = false

function request()
  if not checked then
    checked = true
    return wrk.format("GET", "/healthz")
  end
  if sent < #bodies then
    sent = sent + 1
    return bodies[sent]
  end
  return wrk.format("GET", "/healthz")
end

function response(status, headers, body)
  if status ~= 200 then
    answered = answered + 1
    last_answer = os.time()
  end
  if answered >= #bodies or (sent >= #bodies and os.time() - last_answer >= 3) then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, summary.errors.status, socket_errors))
end
