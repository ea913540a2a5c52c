package io.roundhouse.router.transport;

import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;

/**
 * Limits of stream connections (TCP, later TLS and WebSocket): {@code sip.connections}. Every limit exists because one
 * client could otherwise take the router's file descriptors or memory (issue 9: 19,990 idle connections from one
 * client exhausted the descriptors, and a legitimate TCP request got no answer).
 *
 * <pre>
 * sip:
 *   connections:
 *     max: 10000               # connections peers opened, in total
 *     max-per-source: 256      # ... from one IP address
 *     idle-timeout: 10m        # a connection with no traffic either way is closed
 *     message-timeout: 10s     # a message must arrive whole within this of its first byte (slowloris)
 * </pre>
 *
 * <p>Connections the router opens itself (to nodes, to a peer's Via address) are not counted: their number follows
 * from the router's own traffic. A null argument takes its default.
 *
 * @param max            connections peers may hold open at once; beyond, new ones are closed at once (counted)
 * @param maxPerSource   connections one IP address may hold open at once; beyond, new ones are closed at once
 * @param idleTimeout    a connection with neither reads nor writes for this long is closed
 * @param messageTimeout a message must be whole within this after its first byte, and a new connection must bring its
 *                       first message whole within this; checked every {@code messageTimeout}, so a slow one is
 *                       closed between once and twice this
 */
public record ConnectionLimits(Integer max, Integer maxPerSource, Duration idleTimeout, Duration messageTimeout) {

    /**
     * Below the usual service limit of 65,536 descriptors with room for UDP, Redis, logs and the router's own
     * connections, and far above what a farm's trunks and phones hold (a connection per phone or trunk).
     */
    public static final int DEFAULT_MAX = 10_000;
    /** An office of phones behind one NAT address, each with its own connection; one client cannot take the rest. */
    public static final int DEFAULT_MAX_PER_SOURCE = 256;
    /**
     * Five times the RFC 5626 §4.4.1 keep-alive interval (120 s for connection-oriented transports), so clients that
     * keep their flow alive are never cut; the former hard-coded hour let dead connections hold descriptors.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    /**
     * A SIP message is sent in one go and arrives in milliseconds; 10 s leaves room for a slow link while a slowloris
     * client, trickling a header byte by byte, holds its connection seconds instead of the idle timeout.
     */
    public static final Duration DEFAULT_MESSAGE_TIMEOUT = Duration.ofSeconds(10);

    /** Descriptors kept for everything but peers' connections: sockets, Redis, logs, the router's own connections. */
    public static final int RESERVED_DESCRIPTORS = 1024;

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(null, null, null, null);

    public ConnectionLimits {
        max = max == null ? DEFAULT_MAX : max;
        maxPerSource = maxPerSource == null ? DEFAULT_MAX_PER_SOURCE : maxPerSource;
        idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
        messageTimeout = messageTimeout == null ? DEFAULT_MESSAGE_TIMEOUT : messageTimeout;
        if (max < 1 || max > 1_000_000) {
            throw new ConfigException("max", max + " (expected: 1..1000000, default " + DEFAULT_MAX + ")");
        }
        if (maxPerSource < 1 || maxPerSource > max) {
            throw new ConfigException("max-per-source", maxPerSource + " (expected: 1.." + max + ", default "
                    + DEFAULT_MAX_PER_SOURCE + ")");
        }
        if (idleTimeout.toMillis() < 1000) {
            throw new ConfigException("idle-timeout", idleTimeout.toMillis() + "ms (expected: 1s or more, default 10m)");
        }
        if (messageTimeout.toMillis() < 100 || messageTimeout.compareTo(idleTimeout) > 0) {
            throw new ConfigException("message-timeout", messageTimeout.toMillis() + "ms (expected: 100ms up to the"
                    + " idle timeout, default 10s)");
        }
    }

    /**
     * The warning due when the process's descriptor limit cannot hold {@code max} connections plus {@link
     * #RESERVED_DESCRIPTORS}: the cap would then not protect the descriptors (accept would fail first, as in issue 9).
     */
    public java.util.Optional<String> descriptorShortfall(long descriptorLimit) {
        if (descriptorLimit <= 0 || (long) max + RESERVED_DESCRIPTORS <= descriptorLimit) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("sip.connections.max " + max + " plus " + RESERVED_DESCRIPTORS + " reserved"
                + " descriptors exceeds the process's limit of " + descriptorLimit + " open files: raise the limit"
                + " (ulimit -n, systemd LimitNOFILE) or lower sip.connections.max to "
                + Math.max(1, descriptorLimit - RESERVED_DESCRIPTORS));
    }
}
