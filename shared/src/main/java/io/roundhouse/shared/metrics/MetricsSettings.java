package io.roundhouse.shared.metrics;

import io.roundhouse.shared.config.HostPort;
import java.util.Optional;

/**
 * The {@code metrics:} block of the router's and the agent's configs.
 *
 * <pre>
 * metrics:
 *   listen: "127.0.0.1:9464"    # host:port; IPv6 as "[::1]:9464"; loopback unless configured otherwise
 * </pre>
 *
 * @param listen where {@link MetricsEndpoint} serves {@code GET /metrics}, or null to serve nothing
 */
public record MetricsSettings(HostPort listen) {

    /** No endpoint. */
    public static final MetricsSettings NONE = new MetricsSettings(null);

    /** The endpoint's address, or empty when none is configured. */
    public Optional<HostPort> endpoint() {
        return Optional.ofNullable(listen);
    }
}
