package io.roundhouse.agent.config;

import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.time.Duration;

/**
 * The {@code drain:} block. Absent keys take their defaults.
 *
 * @param timeout            on SIGTERM, the agent exits once the node has no channels or after this long, whichever
 *                           comes first (300s)
 * @param unreachableTimeout on SIGTERM while the channel count is unknown (AMI unreachable), the agent exits once it
 *                           has been unknown this long in a row, rather than waiting the whole {@code timeout}: an
 *                           Asterisk that does not answer AMI cannot confirm a drain, and calls it still carries do
 *                           not need the agent (see docs/asterisk.md); 30s, or {@code timeout} when shorter
 */
public record DrainSettings(Duration timeout, Duration unreachableTimeout) {

    /** Every default. */
    public static final DrainSettings DEFAULTS = new DrainSettings(null, null);

    public DrainSettings {
        timeout = Require.atLeast("timeout", timeout, Duration.ofSeconds(300), Duration.ofMillis(1));
        Duration fallback = timeout.compareTo(Duration.ofSeconds(30)) < 0 ? timeout : Duration.ofSeconds(30);
        unreachableTimeout = Require.atLeast("unreachable-timeout", unreachableTimeout, fallback, Duration.ofMillis(1));
        if (unreachableTimeout.compareTo(timeout) > 0) {
            throw new ConfigException("unreachable-timeout", unreachableTimeout + " (expected: at most drain.timeout, "
                    + timeout + ")");
        }
    }
}
