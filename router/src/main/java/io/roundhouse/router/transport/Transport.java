package io.roundhouse.router.transport;

import java.util.Locale;
import java.util.Optional;

/**
 * SIP transports the router speaks (RFC 3261 §18; TLS: §26.2, a stream like TCP; WS and WSS: RFC 7118, one SIP message
 * per WebSocket message over a connection that only the browser can open).
 */
public enum Transport {
    UDP(false),
    TCP(true),
    TLS(true),
    WS(true),
    WSS(true);

    private final boolean reliable;

    Transport(boolean reliable) {
        this.reliable = reliable;
    }

    /**
     * True for WS and WSS (RFC 7118): the peer (a browser) has no address the router can connect to (its Via and Contact
     * name a {@code .invalid} host, §5), so messages reach it only over the connection it opened.
     */
    public boolean webSocket() {
        return this == WS || this == WSS;
    }

    /** True for the transports over TLS (TLS, WSS): they need {@code sip.tls}. */
    public boolean secure() {
        return this == TLS || this == WSS;
    }

    /**
     * True when the transport delimits each message itself (a UDP datagram, a WebSocket message, RFC 7118 §5): then
     * Content-Length is not needed to find the end of a message (RFC 3261 §18.3).
     */
    public boolean delimitsMessages() {
        return this == UDP || webSocket();
    }

    /** Reliable transports need no retransmissions and zero-length wait timers (RFC 3261 §17). */
    public boolean reliable() {
        return reliable;
    }

    /** Name as written in a Via sent-protocol, e.g. {@code UDP}. */
    public String viaName() {
        return name();
    }

    public String lowerName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive lookup of a transport name (Via protocol or URI {@code transport} parameter). */
    public static Optional<Transport> fromName(String name) {
        for (Transport t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
