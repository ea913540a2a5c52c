package io.roundhouse.agent.publish;

import java.time.Duration;

/**
 * When the next write of the node state is due, on a monotonic clock: every {@code interval} (the heartbeat that keeps
 * the TTL alive), and {@code debounce} after the first of a burst of changes (so 50 channel events in 100 ms make one
 * write, and no change waits longer than {@code debounce}). After a failed write, not before the retry time.
 * Not thread-safe: used under the publisher's lock.
 */
final class PublishPolicy {

    private final long intervalNanos;
    private final long debounceNanos;
    private boolean published;
    private long lastWrite;
    private boolean dirty;
    private long dirtyDeadline;
    private long lastChange;
    private boolean retrying;
    private long retryAt;

    PublishPolicy(Duration interval, Duration debounce) {
        this.intervalNanos = interval.toNanos();
        this.debounceNanos = debounce.toNanos();
    }

    /** Something published changed at {@code now}. */
    void changed(long now) {
        lastChange = now;
        if (!dirty) {
            dirty = true;
            dirtyDeadline = now + debounceNanos;
        }
    }

    /** Nanoseconds from {@code now} until the next write is due; zero or less means now. */
    long nanosUntilDue(long now) {
        if (retrying) {
            return retryAt - now;
        }
        if (!published) {
            return 0;
        }
        long due = lastWrite + intervalNanos;
        if (dirty && dirtyDeadline - due < 0) {
            due = dirtyDeadline;
        }
        return due - now;
    }

    /**
     * A write composed at {@code composedAt} succeeded. A change that came after the state was composed is not in it,
     * so it stays due (debounce after that change) instead of waiting for the next heartbeat.
     */
    void written(long composedAt) {
        published = true;
        lastWrite = composedAt;
        retrying = false;
        if (dirty && lastChange - composedAt >= 0) {
            dirtyDeadline = lastChange + debounceNanos;
        } else {
            dirty = false;
        }
    }

    /** The write failed; try again after {@code delay}. Changes meanwhile wait for that retry. */
    void failed(long now, Duration delay) {
        retrying = true;
        retryAt = now + delay.toNanos();
    }
}
