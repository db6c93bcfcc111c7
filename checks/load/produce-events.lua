-- wrk script for scripts/stack/bench-worker.sh: POSTs each line of EVENTS_FILE (one JSON body per line) once to
-- /v1/events, authenticated with API_KEY. Run with one wrk thread. Once every body is sent, each connection asks
-- GET /healthz every 100 ms until the caller, which watches the api's accepted counter, interrupts wrk (wrk 4.1
-- runs for its whole -d duration even when its threads stop).
local bodies = {}
local sent = 0
local authorization = "Bearer " .. (os.getenv("API_KEY") or "")
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = authorization }

function init(args)
  for line in io.lines(os.getenv("EVENTS_FILE")) do
    bodies[#bodies + 1] = wrk.format("POST", "/v1/events", headers, line)
  end
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

function delay()
  if sent < #bodies then return 0 end
  return 100
end
