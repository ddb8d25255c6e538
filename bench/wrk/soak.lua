-- One kind of request of the soak (bench/soak.sh), repeated, with every
-- answer checked. soak.sh runs one wrk per kind, so each knows the one
-- answer it must get. Everything comes from the environment:
--   WRK_PATH       request target, e.g. "/" or "/swaig/?__token=..."
--   WRK_BODY_FILE  file whose bytes are the request body
--   WRK_AUTH       Authorization header value (omitted when empty)
--   WRK_EXPECT     the status every answer must have
--   WRK_NEEDLE     text every answer's body must contain (optional)
--   WRK_VARY       text of the body replaced, request by request, by one of
--                  100000 caller numbers (optional): the per-caller rate
--                  limiter then creates and forgets keys all the time, as
--                  it does with real traffic
-- At the end one line "WRK_RESULT {json}": requests, answers as expected,
-- unexpected answers (another status, or the needle missing), socket errors
-- and timeouts as wrk counts them, and up to 8 of the statuses seen.

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

local expect = tonumber(os.getenv("WRK_EXPECT") or "200")
local needle = os.getenv("WRK_NEEDLE") or ""
local vary = os.getenv("WRK_VARY") or ""

-- Per thread (each wrk thread has its own Lua state).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = 0
  unexpected = 0
  statuses = {}
  counter = 0
  if vary ~= "" then
    local at = string.find(wrk.body, vary, 1, true)
    assert(at, "WRK_VARY text not found in the body")
    head = string.sub(wrk.body, 1, at - 1)
    tail = string.sub(wrk.body, at + #vary)
  end
end

if vary ~= "" then
  function request()
    counter = counter + 1
    local caller = string.format("+1555%07d", counter % 100000)
    return wrk.format(nil, nil, nil, head .. caller .. tail)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status == expect and (needle == "" or string.find(body, needle, 1, true)) then
    expected = expected + 1
  else
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local ok, bad, seen = 0, 0, {}
  for _, t in ipairs(threads) do
    ok = ok + t:get("expected")
    bad = bad + t:get("unexpected")
    for status, n in pairs(t:get("statuses")) do
      seen[status] = (seen[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(seen) do
    if #parts < 8 then
      table.insert(parts, string.format('"%d":%d', status, n))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"expected":%d,"unexpected":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p99_us":%d,"statuses":{%s}}\n',
    summary.requests, ok, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(99), table.concat(parts, ",")))
end
