package io.roundhouse.router.health;

import io.roundhouse.router.dispatch.config.YamlSection;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code health:} block.
 *
 * @param enabled   false turns probing off (every node counts as up)
 * @param interval  time between two probes of a node
 * @param timeout   a probe without a reply after this long is a miss
 * @param downAfter consecutive misses that take a node down
 * @param upAfter   consecutive good replies that bring a down node back
 */
public record HealthSettings(boolean enabled, Duration interval, Duration timeout, int downAfter, int upAfter) {

    public static final HealthSettings DEFAULTS = new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2),
            3, 2);

    public static HealthSettings parse(YamlSection s) {
        s.allowOnly(Set.of("enabled", "interval", "timeout", "down-after", "up-after"));
        Duration interval = s.duration("interval", DEFAULTS.interval(), Duration.ofMillis(100));
        Duration timeout = s.duration("timeout", DEFAULTS.timeout().compareTo(interval) < 0 ? DEFAULTS.timeout()
                : interval, Duration.ofMillis(50));
        if (timeout.compareTo(interval) > 0) {
            throw new io.roundhouse.shared.config.ConfigException(s.keyPath("timeout"), timeout.toMillis()
                    + "ms (expected: at most health.interval, " + interval.toMillis() + "ms)");
        }
        return new HealthSettings(s.bool("enabled", true), interval, timeout,
                s.integer("down-after", DEFAULTS.downAfter(), 1, 100), s.integer("up-after", DEFAULTS.upAfter(), 1, 100));
    }
}
