package io.roundhouse.agent.config;

import java.time.Duration;

/**
 * The {@code drain:} block.
 *
 * @param timeout            on SIGTERM, the agent exits once the node has no channels or after this long, whichever
 *                           comes first
 * @param unreachableTimeout on SIGTERM while the channel count is unknown (AMI unreachable), the agent exits once it
 *                           has been unknown this long in a row, rather than waiting the whole {@code timeout}: an
 *                           Asterisk that does not answer AMI cannot confirm a drain, and calls it still carries do
 *                           not need the agent (see docs/asterisk.md)
 */
public record DrainSettings(Duration timeout, Duration unreachableTimeout) {
}
