package io.roundhouse.router.transaction;

import java.time.Duration;

/**
 * Runs timer tasks for the transaction layer on its event loop. Injected so that tests drive time by hand instead of
 * sleeping.
 */
public interface SipScheduler {

    /** Runs {@code task} after {@code delay} on the event loop; the handle cancels it. */
    Cancellable schedule(Runnable task, Duration delay);

    /** The clock delays are measured on, in nanoseconds (monotonic; only differences mean anything). */
    long nanoTime();

    /** A scheduled task that can be cancelled; cancelling twice or after it ran does nothing. */
    interface Cancellable {
        void cancel();

        Cancellable NONE = () -> { };
    }
}
