package io.roundhouse.router.testing;

import io.roundhouse.router.transaction.SipScheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/** A {@link SipScheduler} whose time moves only when a test says so: timers are tested without sleeping. */
public final class ManualScheduler implements SipScheduler {

    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long sequence;

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long order = sequence++;
        final Runnable action;
        boolean cancelled;

        Task(long due, Runnable action) {
            this.due = due;
            this.action = action;
        }

        @Override
        public int compareTo(Task o) {
            return due != o.due ? Long.compare(due, o.due) : Long.compare(order, o.order);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        Task t = new Task(now + delay.toNanos(), task);
        tasks.add(t);
        return t;
    }

    /** Runs every task due within {@code d}, in time order, moving the clock to each one's time. */
    public void advance(Duration d) {
        long target = now + d.toNanos();
        while (!tasks.isEmpty() && tasks.peek().due <= target) {
            Task t = tasks.poll();
            now = t.due;
            if (!t.cancelled) {
                t.action.run();
            }
        }
        now = target;
    }

    @Override
    public long nanoTime() {
        return now;
    }

    /** Milliseconds elapsed since the start. */
    public long nowMillis() {
        return now / 1_000_000;
    }

    /** Tasks scheduled and not cancelled. */
    public long pending() {
        return tasks.stream().filter(t -> !t.cancelled).count();
    }
}
