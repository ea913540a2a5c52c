package io.roundhouse.router.transport;

import java.util.Locale;
import java.util.Optional;

/** SIP transports the router speaks (RFC 3261 §18; TLS: §26.2, a stream like TCP). WebSocket would be added here. */
public enum Transport {
    UDP(false),
    TCP(true),
    TLS(true);

    private final boolean reliable;

    Transport(boolean reliable) {
        this.reliable = reliable;
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
