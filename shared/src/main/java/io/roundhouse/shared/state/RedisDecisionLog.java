package io.roundhouse.shared.state;

import java.util.ArrayList;
import java.util.List;

/** The decision log as one capped Redis list, pushed and trimmed in one script so it never outgrows its cap. */
final class RedisDecisionLog implements DecisionLog {

    private static final LuaScript RECORD = LuaScript.of("record decisions", ""
            + "redis.call('LPUSH', KEYS[1], unpack(ARGV, 2))\n"
            + "redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[1]) - 1)\n"
            + "return 1\n");

    /** Lines per script call: Lua's unpack puts every argument on its stack, which holds about 8,000. */
    static final int LINES_PER_CALL = 1000;

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
    public void recordAll(List<String> lines) {
        for (String line : lines) {
            if (line == null) {
                throw new IllegalArgumentException("decision line: null");
            }
        }
        // Lines older than the newest `cap` would be trimmed at once: they are not sent.
        List<String> kept = lines.subList(Math.max(0, lines.size() - cap), lines.size());
        String key = keys.decisions();
        for (int from = 0; from < kept.size(); from += LINES_PER_CALL) {
            List<String> args = new ArrayList<>(LINES_PER_CALL + 1);
            args.add(Integer.toString(cap));
            args.addAll(kept.subList(from, Math.min(kept.size(), from + LINES_PER_CALL)));
            redis.eval(RECORD, key, List.of(key), args);
        }
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
