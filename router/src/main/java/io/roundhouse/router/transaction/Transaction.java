package io.roundhouse.router.transaction;

import io.roundhouse.router.transaction.SipScheduler.Cancellable;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;

/**
 * What client and server transactions (RFC 3261 §17.1, §17.2) share: the table they live in, where their messages go,
 * and a terminated state that silences every timer scheduled before it.
 */
public abstract sealed class Transaction permits ClientTransaction, ServerTransaction {

    protected final TransactionTable table;
    private final Destination destination;
    private boolean terminated;

    protected Transaction(TransactionTable table, Destination destination) {
        this.table = table;
        this.destination = destination;
    }

    public Destination destination() {
        return destination;
    }

    public boolean isTerminated() {
        return terminated;
    }

    /** Runs {@code task} after {@code delay} unless the transaction has terminated by then. */
    protected Cancellable schedule(Runnable task, Duration delay) {
        return table.scheduler().schedule(() -> {
            if (!terminated) {
                task.run();
            }
        }, delay);
    }

    /** Over a reliable transport nothing is retransmitted (§17.1.1.2, §17.2.1). */
    protected boolean reliable() {
        return destination.transport().reliable();
    }

    /** Marks the transaction terminated; false when it already was, so that the caller cleans up once. */
    protected final boolean markTerminated() {
        if (terminated) {
            return false;
        }
        terminated = true;
        return true;
    }
}
