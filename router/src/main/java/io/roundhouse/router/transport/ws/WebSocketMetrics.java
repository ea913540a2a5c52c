package io.roundhouse.router.transport.ws;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of the WebSocket listeners: upgrades accepted and refused (by reason), and connections closed because their
 * browser stopped answering pings. Written on the event loop, read by metrics scrapes.
 */
public final class WebSocketMetrics {

    /** Why an upgrade was refused; the tag value of {@code sip.websocket.upgrades.refused}. */
    public enum Refusal {
        /** Not a well-formed HTTP/1.1 request, or one over the size limits. */
        BAD_REQUEST("bad-request"),
        /** A request that asks for no WebSocket upgrade (a plain GET, another method). */
        NOT_UPGRADE("not-upgrade"),
        /** The {@code sip} subprotocol was not asked for (RFC 7118 §4.1). */
        SUBPROTOCOL("subprotocol"),
        /** An Origin not in {@code sip.websocket.allowed-origins}. */
        ORIGIN("origin"),
        /** The request did not arrive whole within {@code sip.connections.message-timeout}. */
        DEADLINE("deadline");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final LongAdder upgrades = new LongAdder();
    private final Map<Refusal, LongAdder> refused = new EnumMap<>(Refusal.class);
    private final LongAdder pongTimeouts = new LongAdder();

    public WebSocketMetrics() {
        for (Refusal r : Refusal.values()) {
            refused.put(r, new LongAdder());
        }
    }

    void upgraded() {
        upgrades.increment();
    }

    void count(Refusal reason) {
        refused.get(reason).increment();
    }

    void pongTimeout() {
        pongTimeouts.increment();
    }

    /** Connections closed for no pong (tests; scrapes read the counters bound by {@link #bindTo}). */
    long pongTimeouts() {
        return pongTimeouts.sum();
    }

    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("sip.websocket.upgrades", upgrades, LongAdder::sum)
                .description("WebSocket upgrades accepted (sip subprotocol)").register(registry);
        for (Refusal r : Refusal.values()) {
            FunctionCounter.builder("sip.websocket.upgrades.refused", refused.get(r), LongAdder::sum)
                    .tag("reason", r.tag()).description("WebSocket upgrades refused").register(registry);
        }
        FunctionCounter.builder("sip.websocket.pong.timeouts", pongTimeouts, LongAdder::sum)
                .description("WebSocket connections closed: nothing read after a ping").register(registry);
    }
}
