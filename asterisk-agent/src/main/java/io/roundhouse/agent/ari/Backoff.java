package io.roundhouse.agent.ari;

import java.time.Duration;

/**
 * Capped exponential backoff between reconnect attempts: initial, 2x, 4x, ... up to the cap, and back to initial after
 * a connection that worked. Not thread-safe; owned by one reconnect loop.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private Duration next;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff: initial " + initial + ", max " + max
                    + " (expected: 0 < initial <= max)");
        }
        this.initial = initial;
        this.max = max;
        this.next = initial;
    }

    /** The delay before the next attempt, and doubles the one after it (up to the cap). */
    public Duration nextDelay() {
        Duration delay = next;
        failures++;
        Duration doubled = next.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return delay;
    }

    /** Consecutive failed attempts since the last success (for logs). */
    public int failures() {
        return failures;
    }

    /** A connection succeeded: the next failure waits the initial delay again. */
    public void reset() {
        next = initial;
        failures = 0;
    }
}
