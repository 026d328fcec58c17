/**
 * token-bucket.ts's takeToken, run inside Redis so a take is atomic across every instance and
 * all of them read one clock (Redis's TIME, not each machine's). The bucket is a hash
 * {tokens, at}, `at` in milliseconds; it expires once it would be full again, since a missing
 * bucket is a full one.
 *
 * KEYS[1] the bucket · ARGV[1] burst · ARGV[2] tokens per second
 * Replies {allowed (1 or 0), tokens left (a string: Redis truncates Lua numbers to integers)}.
 */
export const TOKEN_BUCKET_SCRIPT = `
local burst = tonumber(ARGV[1])
local per_second = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local tokens = burst
local saved = redis.call('HMGET', KEYS[1], 'tokens', 'at')
if saved[1] and saved[2] then
  local elapsed = math.max(0, now - tonumber(saved[2]))
  tokens = math.min(burst, tonumber(saved[1]) + elapsed * per_second / 1000)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local left = string.format('%.17g', tokens)
redis.call('HSET', KEYS[1], 'tokens', left, 'at', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.max(1, math.ceil((burst - tokens) * 1000 / per_second)))
return {allowed, left}
`;
