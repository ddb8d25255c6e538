-- One POST request, repeated: bench/load.sh sets everything through the
-- environment (wrk passes no arguments to a script's top level).
--   WRK_PATH       request target, e.g. "/" or "/swaig/?__token=..."
--   WRK_BODY_FILE  file whose bytes are the request body
--   WRK_AUTH       Authorization header value (omitted when empty)
-- At the end one line "WRK_RESULT {json}" gives the counts and percentiles
-- that load.sh collects.

wrk.method = "POST"
wrk.path = os.getenv("WRK_PATH") or "/"
wrk.headers["Content-Type"] = "application/json"

local auth = os.getenv("WRK_AUTH")
if auth ~= nil and auth ~= "" then
  wrk.headers["Authorization"] = auth
end

local body_file = os.getenv("WRK_BODY_FILE")
if body_file ~= nil and body_file ~= "" then
  local f = assert(io.open(body_file, "rb"))
  wrk.body = f:read("*a")
  f:close()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
