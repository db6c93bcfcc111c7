-- wrk script for scripts/stack/bench-worker.sh: POSTs each line of EVENTS_FILE (one JSON body per line) once to
-- /v1/events, authenticated with API_KEY, then stops. Run with one wrk thread. Once every body is sent, a connection
-- asks GET /healthz (200) until the last POST is answered; a POST is answered with anything but 200 (202 when
-- accepted), so the run ends when every POST has its answer, however the connections interleave.
local bodies = {}
local sent = 0
local answered = 0
local authorization = "Bearer " .. (os.getenv("API_KEY") or "")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = authorization }

function init(args)
  for line in io.lines(os.getenv("EVENTS_FILE")) do
    bodies[#bodies + 1] = wrk.format("POST", "/v1/events", headers, line)
  end
end

function request()
  if sent < #bodies then
    sent = sent + 1
    return bodies[sent]
  end
  return wrk.format("GET", "/healthz")
end

function response(status, headers, body)
  if status ~= 200 then answered = answered + 1 end
  if answered >= #bodies then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format('WRK {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, summary.errors.status, socket_errors))
end
