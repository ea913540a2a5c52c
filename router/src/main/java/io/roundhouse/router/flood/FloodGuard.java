package io.roundhouse.router.flood;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.shared.logging.LogThrottle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-source flood detection after Kamailio's pike ({@code src/modules/pike/ip_tree.c}): every message is counted
 * against its source address before it is parsed; a source that sends more than {@code max-messages} in a sampling
 * window is blocked, and its messages are dropped (counted) until it has stayed under the limit for {@code block-for}.
 *
 * <p>Where pike keeps a tree of address bytes with hit counters for the current and the previous window, this keeps
 * one entry per address in a hash map in least-recently-seen order, with the same two counters: the rate estimate is
 * the previous window's count weighted by the part of it still inside a sliding window, plus the current count (a
 * sliding-window counter: no burst at a window boundary doubles the allowance). Per message: one map lookup, a
 * relink to the map's tail and a few integer operations; a new source allocates its entry, a known one nothing.
 *
 * <p>Bounded memory: at most {@code max-sources} entries. A source unseen for longer than both {@code block-for} and
 * two windows is forgotten (from the head of the map, a few per message, so no sweep ever scans the table); when
 * the table is full the least recently seen source is forgotten to make room (counted as evicted). A flooder is
 * always among the most recently seen, so eviction cannot free it; a flood from more distinct addresses than the
 * table holds is no longer a per-source flood and is the overload guard's to shed.
 *
 * <p>Exempt sources (farm nodes, configured peers) are asked about only when they cross the limit, once per window.
 * One log line when a source is blocked and one when it is let back in, through a {@link LogThrottle} so that a
 * flood from many addresses cannot flood the log. Called on the SIP event loop and on the door's thread (a port for new
 * calls read by a thread of its own): one lock, uncontended but when both read at once, so that a source has one count.
 */
public final class FloodGuard {

    private static final Logger log = LoggerFactory.getLogger(FloodGuard.class);

    private final FloodSettings settings;
    private final Predicate<InetSocketAddress> exempt;
    private final Set<InetAddress> exemptAddresses;
    private final LongSupplier nanoClock;
    private final long windowNanos;
    private final long blockNanos;
    private final long forgetNanos;
    private final int maxMessages;
    private final LinkedHashMap<InetAddress, Source> sources;
    private final LogThrottle blockLines;
    private final LogThrottle unblockLines;
    // Written on the event loop, read by metrics scrapes on another thread.
    private final LongAdder dropped = new LongAdder();
    private volatile long blocks;
    private volatile long evicted;
    private volatile int blockedNow;
    private volatile int tracked;

    /** One tracked source: pike's ip_node leaf, with the block state. */
    private static final class Source {
        long windowStart;
        int previous;
        int current;
        /** 0 when not blocked, else when the block ends unless the source stays over the limit. */
        long blockedUntil;
        long blockedSince;
        long droppedWhileBlocked;
        /** Start of the window in which the source was last found exempt, or Long.MIN_VALUE. */
        long exemptWindow = Long.MIN_VALUE;
        long lastSeen;
    }

    /**
     * @param settings  thresholds
     * @param exempt    true for a source never to block (farm nodes, configured peers); asked rarely
     * @param nanoClock monotonic nanoseconds (injected by tests)
     */
    public FloodGuard(FloodSettings settings, Predicate<InetSocketAddress> exempt, LongSupplier nanoClock) {
        this.settings = settings;
        this.exempt = exempt;
        this.exemptAddresses = settings.exemptAddresses();
        this.nanoClock = nanoClock;
        this.windowNanos = settings.window().toNanos();
        this.blockNanos = settings.blockFor().toNanos();
        this.forgetNanos = Math.max(blockNanos, 2 * windowNanos);
        this.maxMessages = settings.maxMessages();
        this.sources = new LinkedHashMap<>(Math.min(settings.maxSources(), 1 << 16), 0.75f, true);
        this.blockLines = new LogThrottle();
        this.unblockLines = new LogThrottle();
    }

    /** Counts one message from {@code source}: true to let it through, false to drop it (the drop is counted). */
    public synchronized boolean admit(InetSocketAddress source) {
        if (!settings.enabled()) {
            return true;
        }
        long now = nanoClock.getAsLong();
        InetAddress address = source.getAddress();
        forgetIdle(now, 2);
        Source s = sources.get(address);
        if (s == null) {
            s = track(address, now);
        }
        s.lastSeen = now;
        roll(s, now);
        s.current++;
        if (s.blockedUntil != 0) {
            if (estimate(s, now) > maxMessages) {
                s.blockedUntil = now + blockNanos;
            } else if (now - s.blockedUntil >= 0) {
                unblock(address, s, now, "under the limit");
                return true;
            }
            s.droppedWhileBlocked++;
            dropped.increment();
            return false;
        }
        if ((long) s.current + s.previous <= maxMessages || estimate(s, now) <= maxMessages) {
            return true;
        }
        if (s.exemptWindow == s.windowStart) {
            return true;
        }
        if (exempt.test(source) || exemptAddresses.contains(address)) {
            s.exemptWindow = s.windowStart;
            return true;
        }
        block(address, s, now);
        s.droppedWhileBlocked++;
        dropped.increment();
        return false;
    }

    private Source track(InetAddress address, long now) {
        if (sources.size() >= settings.maxSources()) {
            Iterator<Map.Entry<InetAddress, Source>> head = sources.entrySet().iterator();
            Map.Entry<InetAddress, Source> oldest = head.next();
            forget(oldest.getKey(), oldest.getValue(), now, "forgotten: the source table is full");
            head.remove();
            evicted++;
        }
        Source s = new Source();
        s.windowStart = now;
        s.lastSeen = now;
        sources.put(address, s);
        tracked = sources.size();
        return s;
    }

    /** Forgets up to {@code max} sources idle past the forget delay, from the least recently seen. */
    private void forgetIdle(long now, int max) {
        Iterator<Map.Entry<InetAddress, Source>> it = sources.entrySet().iterator();
        for (int i = 0; i < max && it.hasNext(); i++) {
            Map.Entry<InetAddress, Source> e = it.next();
            if (now - e.getValue().lastSeen < forgetNanos) {
                return;
            }
            forget(e.getKey(), e.getValue(), now, "silent");
            it.remove();
            tracked = sources.size();
        }
    }

    /**
     * Forgets idle sources and ends blocks of silent sources; run it every window or so (a source that stops
     * sending is then let back in on time and logged, even when no other message arrives).
     */
    public synchronized void sweep() {
        forgetIdle(nanoClock.getAsLong(), Integer.MAX_VALUE);
    }

    private void forget(InetAddress address, Source s, long now, String why) {
        if (s.blockedUntil != 0) {
            unblock(address, s, now, why);
        }
    }

    /** Moves the counters on to the window {@code now} falls in. */
    private void roll(Source s, long now) {
        long elapsed = now - s.windowStart;
        if (elapsed < windowNanos) {
            return;
        }
        long windows = elapsed / windowNanos;
        s.previous = windows == 1 ? s.current : 0;
        s.current = 0;
        s.windowStart += windows * windowNanos;
    }

    /** Messages in the last window's length: the previous count weighted by its overlap, plus the current count. */
    private long estimate(Source s, long now) {
        long intoCurrent = now - s.windowStart;
        return s.current + s.previous * (windowNanos - intoCurrent) / windowNanos;
    }

    private void block(InetAddress address, Source s, long now) {
        s.blockedUntil = now + blockNanos;
        s.blockedSince = now;
        s.droppedWhileBlocked = 0;
        blocks++;
        blockedNow++;
        long suppressed = blockLines.admit();
        if (suppressed != LogThrottle.SUPPRESS) {
            log.warn("flood: source {} blocked: {} messages in {} ms (limit {} per {} ms); its messages are dropped"
                    + " until it stays under the limit for {} s{}", address.getHostAddress(), estimate(s, now),
                    settings.window().toMillis(), maxMessages, settings.window().toMillis(),
                    settings.blockFor().toSeconds(), LogThrottle.suppressedNote(suppressed));
        }
    }

    private void unblock(InetAddress address, Source s, long now, String why) {
        s.blockedUntil = 0;
        blockedNow--;
        long suppressed = unblockLines.admit();
        if (suppressed != LogThrottle.SUPPRESS) {
            log.info("flood: source {} unblocked ({}) after {} s; {} messages dropped{}", address.getHostAddress(), why,
                    Duration.ofNanos(now - s.blockedSince).toSeconds(), s.droppedWhileBlocked,
                    LogThrottle.suppressedNote(suppressed));
        }
    }

    /** How often {@link #sweep} should run: once per window. */
    public Duration sweepInterval() {
        return settings.window();
    }

    /** Messages dropped because their source was blocked. */
    public long dropped() {
        return dropped.sum();
    }

    /** Blocks so far. */
    public long blocks() {
        return blocks;
    }

    /** Sources blocked now. */
    public int blockedSources() {
        return blockedNow;
    }

    /** Sources tracked now. */
    public int trackedSources() {
        return tracked;
    }

    /** Sources forgotten to make room in a full table. */
    public long evicted() {
        return evicted;
    }

    /** Whether {@code address} is blocked now. */
    public synchronized boolean isBlocked(InetAddress address) {
        Source s = sources.get(address);
        return s != null && s.blockedUntil != 0;
    }

    /** Publishes the guard's counts as meters. */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("sip.flood.dropped", this, FloodGuard::dropped)
                .description("messages dropped before parsing because their source was blocked").register(registry);
        FunctionCounter.builder("sip.flood.blocks", this, FloodGuard::blocks)
                .description("sources blocked for flooding").register(registry);
        FunctionCounter.builder("sip.flood.evicted", this, FloodGuard::evicted)
                .description("sources forgotten to make room in a full source table").register(registry);
        Gauge.builder("sip.flood.blocked", this, FloodGuard::blockedSources)
                .description("sources blocked now").register(registry);
        Gauge.builder("sip.flood.sources", this, FloodGuard::trackedSources)
                .description("sources tracked now").register(registry);
    }
}
