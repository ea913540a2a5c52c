package io.roundhouse.shared.logging;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Lets through at most {@code burst} lines of one kind per {@code interval} and counts the rest, so that a line a peer
 * or an outage can repeat thousands of times (a placement reconciled, a source blocked) cannot flood the log or slow
 * the thread writing it. The next line let through carries the count of those suppressed before it:
 *
 * <pre>
 * long suppressed = throttle.admit();
 * if (suppressed >= 0) {
 *     log.info("source {} blocked{}", source, LogThrottle.suppressedNote(suppressed));
 * }
 * </pre>
 *
 * <p>Thread-safe; {@link #admit} allocates nothing.
 */
public final class LogThrottle {

    /** Lines let through per interval by default: enough to see what is going on, few enough to read. */
    public static final int DEFAULT_BURST = 10;
    /** Default interval: at most a line a second on average. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** What {@link #admit} returns for a line to leave out. */
    public static final long SUPPRESS = -1;

    private final int burst;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long windowStart;
    private int admitted;
    private long suppressed;

    /** {@link #DEFAULT_BURST} lines per {@link #DEFAULT_INTERVAL} on the system's monotonic clock. */
    public LogThrottle() {
        this(DEFAULT_BURST, DEFAULT_INTERVAL, System::nanoTime);
    }

    /**
     * @param burst     lines let through per interval, at least 1
     * @param interval  the interval, positive
     * @param nanoClock a monotonic clock in nanoseconds (injected by tests)
     */
    public LogThrottle(int burst, Duration interval, LongSupplier nanoClock) {
        if (burst < 1 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("burst " + burst + " and interval " + interval
                    + " (expected: at least 1 line per positive interval)");
        }
        this.burst = burst;
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.windowStart = nanoClock.getAsLong();
    }

    /**
     * Call once per line about to be written: {@link #SUPPRESS} means leave it out (it is counted); any other value
     * means write it, and is the number of lines left out since the last one written.
     */
    public synchronized long admit() {
        long now = nanoClock.getAsLong();
        if (now - windowStart >= intervalNanos) {
            windowStart = now;
            admitted = 0;
        }
        if (admitted >= burst) {
            suppressed++;
            return SUPPRESS;
        }
        admitted++;
        long s = suppressed;
        suppressed = 0;
        return s;
    }

    /**
     * The lines left out since the last one written, and forgets them: for a caller that ends a batch with a summary
     * line, so that the count is not held back until the next line of the kind.
     */
    public synchronized long takeSuppressed() {
        long s = suppressed;
        suppressed = 0;
        return s;
    }

    /** {@code ""} for 0, else {@code " (N similar lines suppressed)"}: to append to the line written. */
    public static String suppressedNote(long suppressed) {
        return suppressed <= 0 ? "" : " (" + suppressed + " similar lines suppressed)";
    }
}
