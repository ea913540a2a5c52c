package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.config.YamlSection;
import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code dispatch:} block (see docs/dispatch.md for each key with its default and an example).
 *
 * @param maxAttempts           nodes tried for one call, first included
 * @param refreshInterval       full refresh of the node view from Redis
 * @param requireAgent          static nodes need an agent's state to take calls
 * @param redisTimeout          longest an affinity call waits for Redis before deciding locally
 * @param redisThreads          threads doing Redis work for calls (claims, moves, marks)
 * @param decisionsKept         decisions kept in Redis for operators (capped list)
 * @param channelWeight         least-loaded: weight of channels against CPU, 0..1
 * @param defaultRetryAfter     full mark for a 503 that carries no Retry-After (0: no mark)
 * @param trustNodePorts        isFromNode compares address and port (true) or the address only
 * @param callStateTtl          how long the state of a call in progress is kept without an outcome
 * @param outageHoldover        after Redis returns, how long nodes it does not show yet are kept from the last view
 */
public record DispatchSettings(int maxAttempts, Duration refreshInterval, boolean requireAgent, Duration redisTimeout,
                               int redisThreads, int decisionsKept, double channelWeight, Duration defaultRetryAfter,
                               boolean trustNodePorts, Duration callStateTtl, Duration outageHoldover) {

    public static final DispatchSettings DEFAULTS = new DispatchSettings(3, Duration.ofSeconds(1), false,
            Duration.ofMillis(500), 4, 1000, 0.5, Duration.ZERO, true, Duration.ofMinutes(5), Duration.ofSeconds(10));

    public static DispatchSettings parse(YamlSection s) {
        s.allowOnly(Set.of("max-attempts", "refresh-interval", "require-agent", "redis-timeout", "redis-threads",
                "decisions-kept", "least-loaded", "default-retry-after", "trust-node-ports", "call-state-ttl",
                "outage-holdover"));
        YamlSection ll = s.section("least-loaded").allowOnly(Set.of("channel-weight"));
        DispatchSettings d = new DispatchSettings(
                s.integer("max-attempts", DEFAULTS.maxAttempts(), 1, 16),
                s.duration("refresh-interval", DEFAULTS.refreshInterval(), Duration.ofMillis(100)),
                s.bool("require-agent", DEFAULTS.requireAgent()),
                s.duration("redis-timeout", DEFAULTS.redisTimeout(), Duration.ofMillis(10)),
                s.integer("redis-threads", DEFAULTS.redisThreads(), 1, 64),
                s.integer("decisions-kept", DEFAULTS.decisionsKept(), 0, 100_000),
                ll.decimal("channel-weight", DEFAULTS.channelWeight(), 0, 1),
                s.duration("default-retry-after", DEFAULTS.defaultRetryAfter(), Duration.ZERO),
                s.bool("trust-node-ports", DEFAULTS.trustNodePorts()),
                s.duration("call-state-ttl", DEFAULTS.callStateTtl(), Duration.ofSeconds(40)),
                s.duration("outage-holdover", DEFAULTS.outageHoldover(), Duration.ZERO));
        if (d.redisTimeout().compareTo(Duration.ofSeconds(10)) > 0) {
            throw new ConfigException(s.keyPath("redis-timeout"), d.redisTimeout().toMillis()
                    + "ms (expected: at most 10s: the caller is waiting)");
        }
        return d;
    }
}
