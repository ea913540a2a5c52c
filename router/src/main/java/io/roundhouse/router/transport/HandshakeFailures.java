package io.roundhouse.router.transport;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed TLS handshakes: all counted, and logged with their reason at most once per peer address per interval (a
 * scanner or a misconfigured peer retries every second; issue 9 saw a stack trace a second). Remembers a bounded number
 * of peers, the least recently failed forgotten first. Event loop only.
 */
final class HandshakeFailures {

    private static final Logger log = LoggerFactory.getLogger(HandshakeFailures.class);
    /** One line per peer per minute: enough to see who fails and why. */
    static final Duration INTERVAL = Duration.ofMinutes(1);
    /** Peers remembered; beyond, the least recently failed is forgotten (and may be logged again). */
    static final int MAX_PEERS = 4096;
    /** Netty's "not an SSL/TLS record" quotes the whole record in hex: the reason is cut to this. */
    static final int MAX_REASON = 120;

    private final LongSupplier nanoClock;
    private final LongAdder failures = new LongAdder();
    private final Map<InetAddress, long[]> lastLogged = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, long[]> eldest) {
            return size() > MAX_PEERS;
        }
    };

    HandshakeFailures(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** A handshake with {@code peer} failed for {@code reason}; true when it was logged. */
    boolean failed(InetAddress peer, String reason) {
        failures.increment();
        long now = nanoClock.getAsLong();
        long[] entry = lastLogged.get(peer);
        if (entry != null && now - entry[0] < INTERVAL.toNanos()) {
            entry[1]++;
            return false;
        }
        long suppressed = entry == null ? 0 : entry[1];
        lastLogged.put(peer, new long[] {now, 0});
        String shown = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "...";
        log.warn("TLS handshake with {} failed: {}{}", peer.getHostAddress(), shown,
                suppressed == 0 ? "" : " (" + suppressed + " more failures from it not logged)");
        return true;
    }

    /** Failed handshakes so far. */
    long count() {
        return failures.sum();
    }
}
