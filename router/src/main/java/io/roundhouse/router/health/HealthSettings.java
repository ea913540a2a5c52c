package io.roundhouse.router.health;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.time.Duration;

/**
 * The {@code health:} block (docs/dispatch.md).
 *
 * @param enabled        false turns probing off (every node counts as up)
 * @param interval       time between two probes of a node
 * @param timeout        a probe without a reply after this long is a miss
 * @param downAfter      consecutive misses that take a node down
 * @param upAfter        consecutive good replies that bring a down node back
 * @param inviteTimeouts INVITEs in a row without an answer that hold a node down (passive health, both modes)
 * @param trialEvery     time between two trial calls to a node held down by passive health
 */
public record HealthSettings(boolean enabled, Duration interval, Duration timeout, int downAfter, int upAfter,
                             int inviteTimeouts, Duration trialEvery) {

    public static final HealthSettings DEFAULTS = new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2),
            3, 2, PassiveHealth.DEFAULT_TIMEOUTS_DOWN, PassiveHealth.DEFAULT_TRIAL_EVERY);

    public HealthSettings {
        if (timeout.compareTo(interval) > 0) {
            throw new ConfigException("timeout", timeout.toMillis() + "ms (expected: at most health.interval, "
                    + interval.toMillis() + "ms)");
        }
    }

    @JsonCreator
    static HealthSettings bind(@JsonProperty("enabled") Boolean enabled, @JsonProperty("interval") Duration interval,
                               @JsonProperty("timeout") Duration timeout, @JsonProperty("down-after") Integer downAfter,
                               @JsonProperty("up-after") Integer upAfter,
                               @JsonProperty("invite-timeouts") Integer inviteTimeouts,
                               @JsonProperty("trial-every") Duration trialEvery) {
        Duration every = Require.atLeast("interval", interval, DEFAULTS.interval(), Duration.ofMillis(100));
        // The default timeout never exceeds a shorter interval set alone.
        Duration defaultTimeout = DEFAULTS.timeout().compareTo(every) < 0 ? DEFAULTS.timeout() : every;
        return new HealthSettings(enabled == null || enabled, every,
                Require.atLeast("timeout", timeout, defaultTimeout, Duration.ofMillis(50)),
                Require.intIn("down-after", downAfter, DEFAULTS.downAfter(), 1, 100),
                Require.intIn("up-after", upAfter, DEFAULTS.upAfter(), 1, 100),
                Require.intIn("invite-timeouts", inviteTimeouts, DEFAULTS.inviteTimeouts(), 1, 100),
                Require.atLeast("trial-every", trialEvery, DEFAULTS.trialEvery(), Duration.ofSeconds(1)));
    }
}
