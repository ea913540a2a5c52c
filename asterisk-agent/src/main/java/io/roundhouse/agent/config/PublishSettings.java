package io.roundhouse.agent.config;

import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.time.Duration;

/**
 * The {@code publish:} block: how often the node state is written to Redis. Absent keys take their defaults.
 *
 * @param interval     heartbeat period: the state is written at least this often (1s)
 * @param ttl          lifetime of each write; a node whose agent stops is gone from the routers' pool after it (3s)
 * @param debounce     a change is written at most this long after it happened, coalescing bursts of changes (200ms)
 * @param retryMin     first delay before retrying after Redis failed (500ms)
 * @param retryMax     cap of the retry delay (10s)
 */
public record PublishSettings(Duration interval, Duration ttl, Duration debounce, Duration retryMin,
                              Duration retryMax) {

    private static final Duration POSITIVE = Duration.ofMillis(1);

    /** Every default. */
    public static final PublishSettings DEFAULTS = new PublishSettings(null, null, null, null, null);

    public PublishSettings {
        interval = Require.atLeast("interval", interval, Duration.ofSeconds(1), POSITIVE);
        ttl = Require.atLeast("ttl", ttl, Duration.ofSeconds(3), POSITIVE);
        debounce = Require.atLeast("debounce", debounce, Duration.ofMillis(200), Duration.ZERO);
        retryMin = Require.atLeast("retry-min", retryMin, Duration.ofMillis(500), POSITIVE);
        retryMax = Require.atLeast("retry-max", retryMax, Duration.ofSeconds(10), POSITIVE);
        if (ttl.compareTo(interval.multipliedBy(2)) < 0) {
            // One lost heartbeat must not make a healthy node vanish from every router.
            throw new ConfigException("ttl", ttl + " (expected: at least twice publish.interval, " + interval + ")");
        }
        if (debounce.compareTo(interval) > 0) {
            throw new ConfigException("debounce", debounce + " (expected: at most publish.interval, " + interval + ")");
        }
        if (retryMax.compareTo(retryMin) < 0) {
            throw new ConfigException("retry-max", retryMax + " (expected: at least retry-min, " + retryMin + ")");
        }
    }
}
