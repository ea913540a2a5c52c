package io.roundhouse.shared.state;

import java.util.List;

/** The decision log as one capped Redis list, pushed and trimmed in one script so it never outgrows its cap. */
final class RedisDecisionLog implements DecisionLog {

    private static final LuaScript RECORD = LuaScript.of("record decision", ""
            + "redis.call('LPUSH', KEYS[1], ARGV[1])\n"
            + "redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)\n"
            + "return 1\n");

    private final RedisGateway redis;
    private final RedisKeys keys;
    private final int cap;

    RedisDecisionLog(RedisGateway redis, RedisKeys keys, int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("decision log cap: " + cap + " (expected: 1 or more)");
        }
        this.redis = redis;
        this.keys = keys;
        this.cap = cap;
    }

    @Override
    public void record(String line) {
        if (line == null) {
            throw new IllegalArgumentException("decision line: null");
        }
        String key = keys.decisions();
        redis.eval(RECORD, key, List.of(key), List.of(line, Integer.toString(cap)));
    }

    @Override
    public List<String> recent(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("recent decisions: " + n + " (expected: 0 or more)");
        }
        if (n == 0) {
            return List.of();
        }
        String key = keys.decisions();
        int count = Math.min(n, cap);
        return List.copyOf(redis.call("read decisions", key, c -> c.lrange(key, 0, count - 1)));
    }
}
