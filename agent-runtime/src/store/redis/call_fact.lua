-- Stores one fact of a call and re-arms the call's time to live, in one
-- step, so the hash never exists without an expiry.
--
-- KEYS[1]  the call's hash (field: fact name, value: JSON text)
-- ARGV[1]  fact name
-- ARGV[2]  the value, as JSON text
-- ARGV[3]  time to live, in milliseconds (0 deletes the call's facts at
--          once, as an entry that expires now would read as empty)
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 0
