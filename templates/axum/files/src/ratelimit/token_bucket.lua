-- The token bucket of one caller, shared by every replica of the service. Redis runs a script
-- atomically, so concurrent requests cannot both take the last token, and the clock is Redis's
-- own, so replicas whose clocks drift still agree. The arithmetic is that of the in-process
-- bucket in ratelimit.rs, step for step.
--
-- KEYS[1]: the caller's bucket. ARGV[1]: tokens added per second. ARGV[2]: the burst.
-- Returns { allowed (1 or 0), remaining, reset, retry_after }, the last two in seconds.
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000

local stored = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(stored[1]) or burst
local updated = tonumber(stored[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)

local allowed = 0
if tokens >= 1 then
  allowed = 1
  tokens = tokens - 1
end

redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'updated', string.format('%.6f', now))
-- Once refilled, a bucket is the same as none: let Redis forget it then.
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)

local retry_after = 0
if allowed == 0 then
  retry_after = math.max(1, math.ceil(math.max(0, 1 - tokens) / rate))
end
return { allowed, math.floor(tokens), math.ceil(math.max(0, burst - tokens) / rate), retry_after }
