package io.roundhouse.shared.retry;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Capped exponential backoff with jitter, the one of the project: the agent's AMI reconnects, Redis retries and ARI
 * WebSocket reconnects, and the Redis event resubscription of routers and agents. The delay doubles after each
 * failure up to the cap; each delay is then drawn uniformly from [delay/2, delay] ("equal jitter") so that the agents
 * or routers of a farm that lost Redis or Asterisk together do not hammer it back in lock step. Thread-safe.
 */
public final class Backoff {

    private final long minNanos;
    private final long maxNanos;
    private final DoubleSupplier random;
    private int failures;

    /** @param random uniform source in [0, 1), injected so tests get exact delays */
    public Backoff(Duration min, Duration max, DoubleSupplier random) {
        if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff: min " + min + ", max " + max + " (expected: 0 < min <= max)");
        }
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
    }

    /** The delay before the next attempt, after one more failure. */
    public synchronized Duration nextDelay() {
        long ceiling = minNanos;
        for (int i = 0; i < failures && ceiling < maxNanos; i++) {
            ceiling = Math.min(maxNanos, ceiling * 2);
        }
        failures++;
        long half = ceiling / 2;
        return Duration.ofNanos(half + (long) (random.getAsDouble() * (ceiling - half)));
    }

    /** Failures since the last success. */
    public synchronized int failures() {
        return failures;
    }

    /** A success: the next failure starts again from the minimum delay. */
    public synchronized void reset() {
        failures = 0;
    }
}
