-- One use of a rate-limited key: GCRA, exactly the in-process limiter's rule
-- (governor): a burst of `count`, refilled evenly, one use every `interval`.
--
-- KEYS[1]  the key's state: its theoretical arrival time (TAT), in
--          microseconds of the server's clock
-- ARGV[1]  emission interval (per / count), in microseconds
-- ARGV[2]  tolerance: interval * (count - 1), in microseconds
--
-- Returns 0 when the use is allowed, else the wait in microseconds before
-- one would be (always > 0). Time is the server's (TIME), so replicas with
-- skewed clocks agree. The key lives exactly until the allowance is full
-- again, when forgetting it changes nothing.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])

local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then
  tat = tonumber(stored)
  if not tat then
    return redis.error_reply('MALFORMED rate state')
  end
end

local allowed_from = tat - tolerance
if now < allowed_from then
  return allowed_from - now
end

if tat < now then
  tat = now
end
tat = tat + interval
-- tat - now >= interval >= 1 microsecond, so the expiry is at least 1 ms.
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.ceil((tat - now) / 1000))
return 0
