package io.roundhouse.router.transport.ws;

import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SIP over WebSocket ({@code sip.websocket}, RFC 7118): which web pages may open a {@code ws:} or {@code wss:}
 * connection, and how the router keeps such a connection alive and notices one whose browser is gone. Message size,
 * connection caps and deadlines are those of every stream connection ({@code sip.max-message-size},
 * {@code sip.connections}); {@code wss:} uses {@code sip.tls}.
 *
 * <pre>
 * sip:
 *   listen: [ "wss:0.0.0.0:8443" ]
 *   websocket:
 *     allowed-origins: [ "https://phone.example.com" ]   # default [ "*" ]: any page
 *     ping-interval: 30s      # a ping after this long with nothing read; 0s: no pings
 *     pong-timeout: 10s       # nothing read this long after a ping: the browser is gone, the connection closed
 * </pre>
 *
 * <p>A null argument takes its default.
 *
 * @param allowedOrigins origins ({@code scheme://host[:port]}, RFC 6454) whose pages may upgrade, or {@code "*"} for
 *                       any; an upgrade that carries no Origin (a client that is no browser) is not checked, since
 *                       any such client can write whatever Origin it likes
 * @param pingInterval   the router sends a WebSocket ping when it has read nothing from the connection for this long;
 *                       zero sends none
 * @param pongTimeout    a connection from which nothing (no pong, no message) is read this long after a ping is closed
 */
public record WebSocketSettings(List<String> allowedOrigins, Duration pingInterval, Duration pongTimeout) {

    /** Every page may connect: the router's own protection is at the SIP level, and a first setup must just work. */
    public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of("*");
    /**
     * Browsers answer pings by themselves, so 30 s costs them nothing; it keeps NAT bindings and proxies in between
     * from dropping a quiet connection, and finds a vanished browser in under a minute, so that a node's BYE towards
     * it gets 430 at once rather than waiting for a TCP timeout.
     */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
    /** A pong takes one round trip; 10 s covers a slow mobile link many times over. */
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(10);

    public static final WebSocketSettings DEFAULTS = new WebSocketSettings(null, null, null);

    private static final Pattern ORIGIN = Pattern.compile("https?://[^/?#\\s]+");

    public WebSocketSettings {
        allowedOrigins = allowedOrigins == null ? DEFAULT_ALLOWED_ORIGINS : normalized(allowedOrigins);
        pingInterval = pingInterval == null ? DEFAULT_PING_INTERVAL : pingInterval;
        pongTimeout = pongTimeout == null ? DEFAULT_PONG_TIMEOUT : pongTimeout;
        if (allowedOrigins.isEmpty()) {
            throw new ConfigException("allowed-origins", "empty (expected: origins such as"
                    + " \"https://phone.example.com\", or [ \"*\" ] for any page)");
        }
        if (!pingInterval.isZero() && (pingInterval.toMillis() < 1000 || pingInterval.compareTo(Duration.ofHours(1)) > 0)) {
            throw new ConfigException("ping-interval", pingInterval.toMillis() + "ms (expected: 1s..1h, or 0s for no"
                    + " pings, default 30s)");
        }
        if (pongTimeout.toMillis() < 100 || pongTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new ConfigException("pong-timeout", pongTimeout.toMillis() + "ms (expected: 100ms..10m, default"
                    + " 10s)");
        }
    }

    private static List<String> normalized(List<String> origins) {
        List<String> out = new ArrayList<>(origins.size());
        for (int i = 0; i < origins.size(); i++) {
            String o = origins.get(i);
            if (o == null || !(o.equals("*") || ORIGIN.matcher(o).matches())) {
                throw new ConfigException("allowed-origins[" + i + "]", "'" + o + "' (expected: scheme://host[:port]"
                        + " with scheme http or https and no path, e.g. \"https://phone.example.com\", or \"*\")");
            }
            // Scheme and host compare case-insensitively (RFC 6454 §4); browsers send them in lower case.
            out.add(o.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }

    /** True when any page may connect. */
    public boolean anyOrigin() {
        return allowedOrigins.contains("*");
    }

    /** True when a page of {@code origin} (an Origin header value, or null when absent) may open a connection. */
    public boolean allows(String origin) {
        return origin == null || anyOrigin() || allowedOrigins.contains(origin.trim().toLowerCase(Locale.ROOT));
    }
}
