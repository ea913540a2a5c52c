-- The agent's node publication, as shared/.../state/RedisNodeStates.java (PUBLISH) runs it, for bench/run.sh to
-- stand in for an agent (bench/dispatch/agent-standin.py; docs/redis-state.md, rh:node:<id> and rh:nodes), or by hand:
--   redis-cli --eval publish-node.lua rh:node:<id> rh:nodes , <ttl ms> <id> rh:events <status> <field> <value> ...
-- One script, so one heartbeat is one atomic write: DEL + HSET of the whole state, PEXPIRE, index entry scored by
-- Redis time + TTL, and the node-up/node-draining event when the status changes.
local old = redis.call('HGET', KEYS[1], 'status')
redis.call('DEL', KEYS[1])
local n = #ARGV
local i = 5
while i <= n do
  local j = math.min(i + 199, n)
  redis.call('HSET', KEYS[1], unpack(ARGV, i, j))
  i = j + 1
end
local ttl = tonumber(ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[2], now + ttl, ARGV[2])
local status = ARGV[4]
if not old then
  redis.call('PUBLISH', ARGV[3], 'node-up ' .. ARGV[2])
  if status ~= 'active' then redis.call('PUBLISH', ARGV[3], 'node-draining ' .. ARGV[2]) end
elseif old ~= status then
  if status == 'active' then redis.call('PUBLISH', ARGV[3], 'node-up ' .. ARGV[2])
  else redis.call('PUBLISH', ARGV[3], 'node-draining ' .. ARGV[2]) end
end
return 1
