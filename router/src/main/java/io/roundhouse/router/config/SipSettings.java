package io.roundhouse.router.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.router.flood.FloodSettings;
import io.roundhouse.router.overload.OverloadSettings;
import io.roundhouse.router.transport.ConnectionLimits;
import io.roundhouse.router.transport.ListenAddress;
import io.roundhouse.router.transport.TlsSettings;
import io.roundhouse.router.transport.Transport;
import io.roundhouse.router.transport.ws.WebSocketSettings;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code sip:} section: where the router listens and how its SIP engine behaves.
 *
 * @param listen            where the router listens, first entry first ({@code sip.listen})
 * @param advertisedAddress host written into Via and Record-Route instead of the listen host, or empty
 * @param maxMessageSize    largest accepted message in bytes (default 65536)
 * @param recordRoute       whether the router record-routes dialog-creating requests (default true)
 * @param timers            SIP timers
 * @param retryAfter        Retry-After (RFC 3261 §20.33) of every 503 the router sends itself, whole seconds; zero
 *                          sends none
 * @param flood             the per-source flood limit ({@code sip.flood})
 * @param drainTimeout      on SIGTERM, how long transactions in progress may take to finish before the router stops
 * @param connections       caps and deadlines of TCP connections ({@code sip.connections})
 * @param tls               certificate and key of {@code tls:} listeners ({@code sip.tls}), or null without them
 * @param routeSecretFile   file holding the secret that signs the router's Record-Route values, or null (the
 *                          environment's {@code ROUNDHOUSE_ROUTE_SECRET} overrides it; docs/security.md)
 * @param noServiceStatus   the answer to a request that matches no service (default 404; docs/dispatch.md)
 * @param overload          when new calls are shed with 503 ({@code sip.overload})
 * @param webSocket         origins and keep-alive of {@code ws:} and {@code wss:} listeners ({@code sip.websocket})
 * @param callersKeepTheirPort whether a caller is record-routed with the port for new calls it called instead of the
 *                          router's own (docs/security.md, "A port for new calls"; default false)
 */
public record SipSettings(List<ListenAddress> listen, Optional<String> advertisedAddress, int maxMessageSize,
                          boolean recordRoute, SipTimers timers, Duration retryAfter, FloodSettings flood,
                          Duration drainTimeout, ConnectionLimits connections, TlsSettings tls,
                          Path routeSecretFile, int noServiceStatus, OverloadSettings overload,
                          WebSocketSettings webSocket, boolean callersKeepTheirPort) {

    /** Default {@code sip.max-message-size}: 64 KiB, the largest UDP datagram. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 65536;
    /** Default {@code sip.retry-after}. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    /** Default {@code sip.no-service-status}: Not Found, which makes no upstream proxy avoid the router. */
    public static final int DEFAULT_NO_SERVICE_STATUS = 404;
    /**
     * Default {@code sip.drain-timeout}: Timer B (64*T1), the longest an INVITE waits for its first answer, so a call
     * in setup normally ends before the router stops; well under the 90 s systemd gives a service to stop.
     */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(32);

    public SipSettings {
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new ConfigException("listen", "empty (expected: a non-empty list of transport:host:port)");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < listen.size(); i++) {
            ListenAddress a = listen.get(i);
            if (a.port() != 0 && !seen.add(a.toString())) {
                throw new ConfigException("listen[" + i + "]", "duplicate listen address " + a);
            }
        }
        for (int i = 0; i < listen.size(); i++) {
            if (listen.get(i).transport().secure() && tls == null) {
                throw new ConfigException("tls", "missing for listen address " + listen.get(i)
                        + " (expected: sip.tls with certificate and private-key)");
            }
        }
        if (maxMessageSize < 1024 || maxMessageSize > 16 * 1024 * 1024) {
            throw new ConfigException("max-message-size", maxMessageSize + " (expected: 1024..16777216 bytes)");
        }
        if (!retryAfter.isZero() && (retryAfter.toSeconds() < 1 || retryAfter.toSeconds() > Integer.MAX_VALUE)) {
            throw new ConfigException("retry-after", retryAfter.toMillis() + "ms (expected: 1s or more, or 0s for no"
                    + " Retry-After)");
        }
        // 401 and 407 are challenges that need headers the router does not write; 1xx-3xx are not refusals.
        if (noServiceStatus < 400 || noServiceStatus > 699 || noServiceStatus == 401 || noServiceStatus == 407) {
            throw new ConfigException("no-service-status", noServiceStatus + " (expected: a 4xx, 5xx or 6xx status"
                    + " other than 401 and 407, e.g. 404, 480, 503, 604)");
        }
        if (callersKeepTheirPort) {
            requireCallersPort(listen, advertisedAddress);
        }
        retryAfter = Duration.ofSeconds(retryAfter.toSeconds());
    }

    /**
     * {@code callers-keep-their-port} needs a port for new calls, and one the caller's Record-Route value can name
     * apart from the router's own: with an advertised address every value carries that one host, so only the port
     * tells them apart.
     */
    private static void requireCallersPort(List<ListenAddress> listen, Optional<String> advertisedAddress) {
        if (ListenAddress.portsForNewCalls(listen).isEmpty()) {
            throw new ConfigException("callers-keep-their-port", "true, but sip.listen has no port for new calls"
                    + " (expected: a second udp listen address of one address family, the one callers are given)");
        }
        if (advertisedAddress.isPresent()) {
            Set<Integer> ports = new HashSet<>();
            for (ListenAddress a : listen) {
                if (a.transport() == Transport.UDP && a.port() != 0 && !ports.add(a.port())) {
                    throw new ConfigException("callers-keep-their-port", "true, but with sip.advertised-address every"
                            + " Record-Route names one host, and two udp listen addresses share port " + a.port()
                            + " (expected: a port of its own for the callers' address)");
                }
            }
        }
    }

    @JsonCreator
    static SipSettings bind(@JsonProperty("listen") List<ListenAddress> listen,
                            @JsonProperty("advertised-address") String advertisedAddress,
                            @JsonProperty("max-message-size") Integer maxMessageSize,
                            @JsonProperty("record-route") Boolean recordRoute,
                            @JsonProperty("timers") SipTimers timers,
                            @JsonProperty("retry-after") Duration retryAfter,
                            @JsonProperty("flood") FloodSettings flood,
                            @JsonProperty("drain-timeout") Duration drainTimeout,
                            @JsonProperty("connections") ConnectionLimits connections,
                            @JsonProperty("tls") TlsSettings tls,
                            @JsonProperty("route-secret-file") String routeSecretFile,
                            @JsonProperty("no-service-status") Integer noServiceStatus,
                            @JsonProperty("overload") OverloadSettings overload,
                            @JsonProperty("websocket") WebSocketSettings webSocket,
                            @JsonProperty("callers-keep-their-port") Boolean callersKeepTheirPort) {
        String secretFile = Require.optionalText("route-secret-file", routeSecretFile, "a file name");
        if (listen == null) {
            throw new ConfigException("listen", "missing (expected: a list such as [\"udp:127.0.0.1:5060\"])");
        }
        for (int i = 0; i < listen.size(); i++) {
            Require.item("listen[" + i + "]", listen.get(i), "transport:host:port");
        }
        return new SipSettings(listen,
                Optional.ofNullable(Require.optionalText("advertised-address", advertisedAddress, "a host")),
                maxMessageSize == null ? DEFAULT_MAX_MESSAGE_SIZE : maxMessageSize,
                recordRoute == null || recordRoute, timers == null ? SipTimers.defaults() : timers,
                retryAfter == null ? DEFAULT_RETRY_AFTER : retryAfter, flood == null ? FloodSettings.DEFAULTS : flood,
                Require.atLeast("drain-timeout", drainTimeout, DEFAULT_DRAIN_TIMEOUT, Duration.ZERO),
                connections == null ? ConnectionLimits.DEFAULTS : connections, tls,
                secretFile == null ? null : Path.of(secretFile),
                noServiceStatus == null ? DEFAULT_NO_SERVICE_STATUS : noServiceStatus,
                overload == null ? OverloadSettings.DEFAULTS : overload,
                webSocket == null ? WebSocketSettings.DEFAULTS : webSocket,
                callersKeepTheirPort != null && callersKeepTheirPort);
    }

    /** A copy with other timers. */
    public SipSettings withTimers(SipTimers newTimers) {
        return new SipSettings(listen, advertisedAddress, maxMessageSize, recordRoute, newTimers, retryAfter, flood,
                drainTimeout, connections, tls, routeSecretFile, noServiceStatus, overload,
                webSocket, callersKeepTheirPort);
    }

    /** A copy with another message size limit. */
    public SipSettings withMaxMessageSize(int bytes) {
        return new SipSettings(listen, advertisedAddress, bytes, recordRoute, timers, retryAfter, flood,
                drainTimeout, connections, tls, routeSecretFile, noServiceStatus, overload,
                webSocket, callersKeepTheirPort);
    }
}
