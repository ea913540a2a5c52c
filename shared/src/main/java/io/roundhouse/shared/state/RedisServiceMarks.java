package io.roundhouse.shared.state;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Full marks in one Redis sorted set: member {@code "<node> <service>"}, score the expiry in server epoch
 * milliseconds. Expired members are pruned by every script that touches the set, and the key itself expires with its
 * last mark, so nothing lingers.
 */
final class RedisServiceMarks implements ServiceMarks {

    // KEYS: marks. ARGV: member, duration ms. A new mark replaces the old one's expiry: the latest Retry-After wins.
    private static final LuaScript MARK = LuaScript.of("mark full", RedisNodeStates.NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
            + "local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')\n"
            + "redis.call('PEXPIREAT', KEYS[1], last[2])\n"
            + "return 1\n");

    // KEYS: marks. Returns the live members.
    private static final LuaScript LIVE = LuaScript.of("read full marks", RedisNodeStates.NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "return redis.call('ZRANGE', KEYS[1], 0, -1)\n");

    private final RedisGateway redis;
    private final RedisKeys keys;

    RedisServiceMarks(RedisGateway redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void markFull(String nodeId, String service, Duration duration) {
        ContractNames.requireWord("node id", nodeId);
        ContractNames.requireWord("service", service);
        if (duration == null || duration.toMillis() <= 0) {
            throw new IllegalArgumentException("full mark of " + nodeId + " " + service + ": duration " + duration
                    + " (expected: at least 1 ms)");
        }
        String key = keys.fullMarks();
        redis.eval(MARK, key, List.of(key), List.of(nodeId + " " + service, Long.toString(duration.toMillis())));
    }

    @Override
    public Set<String> fullServices(String nodeId) {
        ContractNames.requireWord("node id", nodeId);
        return Set.copyOf(readAll().getOrDefault(nodeId, Set.of()));
    }

    @Override
    public Map<String, Set<String>> readAll() {
        String key = keys.fullMarks();
        @SuppressWarnings("unchecked")
        List<String> members = (List<String>) redis.eval(LIVE, key, List.of(key), List.of());
        Map<String, Set<String>> byNode = new HashMap<>();
        for (String member : members) {
            int space = member.indexOf(' ');
            if (space <= 0 || space == member.length() - 1) {
                throw new MalformedStateException(key + ": member '" + member + "' (expected: '<node> <service>')");
            }
            byNode.computeIfAbsent(member.substring(0, space), n -> new HashSet<>()).add(member.substring(space + 1));
        }
        Map<String, Set<String>> out = new HashMap<>();
        byNode.forEach((node, services) -> out.put(node, Set.copyOf(services)));
        return Map.copyOf(out);
    }
}
