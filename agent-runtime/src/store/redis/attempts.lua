-- Attempt counters with lockout: the in-process store's rule, on the
-- server's clock (TIME).
--
-- KEYS[1]  the subject's hash: f = failures in the current window,
--          w = when the window ends, l = locked until (absent: never
--          locked); times in microseconds of the server's clock
-- ARGV[1]  'read', 'fail' or 'reset'
-- ARGV[2]  failures that lock
-- ARGV[3]  window, in microseconds
-- ARGV[4]  lock duration, in microseconds
--
-- Returns {failures, remaining, locked_for} (locked_for in microseconds,
-- 0 when not locked) for 'read' and 'fail', 0 for 'reset'. The key lives
-- until both its window and its lock have ended; after that it would read
-- as a subject with no failures, which is what its absence reads as.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local key = KEYS[1]
local op = ARGV[1]
local max_failures = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local lock_for = tonumber(ARGV[4])

local stored = redis.call('HMGET', key, 'f', 'w', 'l')
local exists = stored[1] ~= false or stored[2] ~= false or stored[3] ~= false
local failures = 0
local window_ends = now
local locked_until = nil
if exists then
  failures = tonumber(stored[1])
  window_ends = tonumber(stored[2])
  if not failures or not window_ends then
    return redis.error_reply('MALFORMED attempt state')
  end
  if stored[3] ~= false then
    locked_until = tonumber(stored[3])
    if not locked_until then
      return redis.error_reply('MALFORMED attempt state')
    end
  end
end

local function locked()
  return locked_until ~= nil and locked_until > now
end

-- While locked: no failures counted and none remaining.
local function status()
  if locked() then
    return {0, 0, locked_until - now}
  end
  local counted = 0
  if exists and window_ends > now then
    counted = failures
  end
  return {counted, math.max(max_failures - counted, 0), 0}
end

if op == 'read' then
  return status()
end

if op == 'reset' then
  -- A running lock stays; only the count is forgotten.
  if not locked() then
    redis.call('DEL', key)
  end
  return 0
end

if op ~= 'fail' then
  return redis.error_reply('MALFORMED attempt operation')
end

-- A failure while locked changes nothing (it does not extend the lock).
if locked() then
  return status()
end
-- A new window after the last one ended, or after a lock ran out.
if not exists or window_ends <= now or locked_until ~= nil then
  exists = true
  failures = 0
  window_ends = now + window
  locked_until = nil
end
failures = failures + 1
if failures >= max_failures then
  locked_until = now + lock_for
end

local ends = window_ends
if locked_until ~= nil and locked_until > ends then
  ends = locked_until
end
local ttl = math.ceil((ends - now) / 1000)
redis.call('DEL', key)
if ttl > 0 then
  if locked_until ~= nil then
    redis.call('HSET', key, 'f', string.format('%d', failures), 'w', string.format('%d', window_ends),
      'l', string.format('%d', locked_until))
  else
    redis.call('HSET', key, 'f', string.format('%d', failures), 'w', string.format('%d', window_ends))
  end
  redis.call('PEXPIRE', key, ttl)
end
-- With no time left (a zero window and lock) the subject reads as fresh,
-- which is what the state just computed reads as too.
return status()
