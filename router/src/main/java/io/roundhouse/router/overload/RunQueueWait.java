package io.roundhouse.router.overload;

/**
 * How long the SIP event loop's thread has been runnable but waiting for a CPU (on a run queue, not on a CPU and not
 * asleep waiting for work), as the {@link OverloadGuard} reads it at each of its samples, on that thread. A loop starved
 * of CPU by other processes spends little CPU time of its own, so its busy share cannot show it; this can.
 */
interface RunQueueWait {

    /** Where the wait cannot be read (not Linux, no scheduler statistics): never any wait. */
    RunQueueWait ABSENT = new RunQueueWait() {
        @Override
        public long waitNanos() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    /** Nanoseconds the thread has waited on a run queue since it started; only differences mean anything. */
    long waitNanos();

    /** Releases what reading takes (a file); the last value stays. */
    void close();
}
