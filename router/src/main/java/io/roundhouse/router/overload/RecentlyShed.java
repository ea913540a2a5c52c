package io.roundhouse.router.overload;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The INVITEs the router answered 503 for overload lately, by a 64-bit fingerprint of their transaction, so that a
 * retransmission of a shed INVITE gets another 503 whatever the guard says by then. Without it, a retransmission that
 * waited in the socket while the guard let go would start the call the caller was told was refused (RFC 3261 §17.1.1.2:
 * a caller retransmits until its first final response arrives, so one is usually in flight when the 503 leaves).
 *
 * <p>Two generations of an open-addressing set of longs, each for half of {@code keep}: a fingerprint is found for at
 * least half of {@code keep} and at most all of it. A generation also ends when it holds {@code capacity} fingerprints,
 * so memory is bounded (two arrays of twice the capacity, allocated at the first shed call) and a flood only shortens
 * how long a shed call is remembered. One thread only (the event loop's, or the door's own); nothing allocated per
 * call.
 */
public final class RecentlyShed {

    /**
     * Fingerprints per generation: at 16,000 shed INVITEs/s (twice the bench's clean rate) a generation fills in about
     * 8 s, which covers a caller's retransmissions at 0.5, 1, 2 and 4 s (T1 = 500 ms) and the time they wait in a
     * full socket. Two generations of 2^18 longs: 4 MiB.
     */
    public static final int DEFAULT_CAPACITY = 1 << 17;

    private final long halfKeepNanos;
    private final int capacity;
    private final LongSupplier nanoClock;
    private long[] current;
    private long[] previous;
    private int currentCount;
    private int previousCount;
    private long currentStart;

    /**
     * @param keep      how long a shed INVITE is remembered at most (64*T1: a caller's Timer B, after which it no
     *                  longer retransmits)
     * @param capacity  fingerprints per generation
     * @param nanoClock monotonic time
     */
    public RecentlyShed(Duration keep, int capacity, LongSupplier nanoClock) {
        if (capacity < 1 || capacity > 1 << 28) {
            throw new IllegalArgumentException("capacity " + capacity + " (expected: 1..2^28)");
        }
        this.halfKeepNanos = Math.max(1, keep.toNanos() / 2);
        this.capacity = capacity;
        this.nanoClock = nanoClock;
    }

    /** True when no shed INVITE is remembered: a new INVITE need not be fingerprinted (the cheap, usual case). */
    public boolean isEmpty() {
        if (currentCount == 0 && previousCount == 0) {
            return true;
        }
        age(nanoClock.getAsLong());
        return currentCount == 0 && previousCount == 0;
    }

    /** Whether {@code fingerprint} was added within the last half of {@code keep} at least. */
    public boolean contains(long fingerprint) {
        age(nanoClock.getAsLong());
        long key = nonZero(fingerprint);
        return find(current, key) || find(previous, key);
    }

    /** Remembers a shed INVITE's fingerprint. */
    public void add(long fingerprint) {
        long now = nanoClock.getAsLong();
        if (current == null) {
            current = new long[tableSize()];
            currentStart = now;
        }
        age(now);
        if (currentCount >= capacity) {
            rotate(now);
        }
        long key = nonZero(fingerprint);
        long[] t = current;
        int mask = t.length - 1;
        for (int i = spread(key) & mask; ; i = (i + 1) & mask) {
            if (t[i] == key) {
                return;
            }
            if (t[i] == 0) {
                t[i] = key;
                currentCount++;
                return;
            }
        }
    }

    private void age(long now) {
        if (current == null || now - currentStart < halfKeepNanos) {
            return;
        }
        if (now - currentStart >= 2 * halfKeepNanos) {
            // Both generations are older than keep: a quiet spell forgets everything at once.
            clear(current);
            currentCount = 0;
            if (previous != null) {
                clear(previous);
            }
            previousCount = 0;
            currentStart = now;
            return;
        }
        rotate(now);
    }

    private void rotate(long now) {
        long[] oldest = previous == null ? new long[tableSize()] : previous;
        if (previousCount > 0) {
            clear(oldest);
        }
        previous = current;
        previousCount = currentCount;
        current = oldest;
        currentCount = 0;
        currentStart = now;
    }

    private int tableSize() {
        return Integer.highestOneBit(Math.max(1, capacity - 1)) << 2; // at most half full: short probes
    }

    private static void clear(long[] t) {
        Arrays.fill(t, 0L);
    }

    private static boolean find(long[] t, long key) {
        if (t == null) {
            return false;
        }
        int mask = t.length - 1;
        for (int i = spread(key) & mask; ; i = (i + 1) & mask) {
            if (t[i] == key) {
                return true;
            }
            if (t[i] == 0) {
                return false;
            }
        }
    }

    private static int spread(long key) {
        return (int) (key ^ (key >>> 32));
    }

    /** 0 marks a free slot. */
    private static long nonZero(long fingerprint) {
        return fingerprint == 0 ? 1 : fingerprint;
    }
}
