package io.roundhouse.agent.config;

import java.time.Duration;

/**
 * The {@code drain:} block.
 *
 * @param timeout on SIGTERM, the agent exits once the node has no channels or after this long, whichever comes first
 */
public record DrainSettings(Duration timeout) {
}
