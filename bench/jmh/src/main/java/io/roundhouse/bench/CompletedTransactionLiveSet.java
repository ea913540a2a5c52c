package io.roundhouse.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.roundhouse.router.config.SipTimers;
import io.roundhouse.router.transaction.InviteServerTransaction;
import io.roundhouse.router.transaction.NonInviteServerTransaction;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.ServerTransaction;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jol.info.GraphLayout;

/**
 * Live heap per completed server transaction (issue 15, "shrink the live set"): what a call leaves on the heap for the
 * 32 s of Timer L (INVITE answered 2xx, RFC 6026 Accepted) and Timer J (BYE answered over UDP), once the proxy has
 * let go of the call. Counts objects and bytes reachable from the transaction table and its timers (JOL), with
 * {@value #N} transactions of each kind, minus the empty table: a deterministic figure, not a timing.
 *
 * <p>Run: {@code java -cp bench/jmh/target/benchmarks.jar io.roundhouse.bench.CompletedTransactionLiveSet}. The
 * scheduler here keeps a task as a small object in a list; Netty's event loop keeps a larger
 * {@code ScheduledFutureTask}, so the figure for a design with a timer per transaction is a lower bound. Since
 * completed transactions are kept as bytes ({@code CompletedTransactions}), the bytes counted are those of its
 * chunks and index (primitive arrays: nothing to trace), spread over the transactions.
 */
public final class CompletedTransactionLiveSet {

    static final int N = 10_000;
    private static final int RESPONSE_BYTES = 350;

    public static void main(String[] args) throws Exception {
        // JOL reads record fields (SipTimers, ServerKey, Destination) only with its own offset probe.
        System.setProperty("jol.magicFieldOffset", "true");
        Timers timers = new Timers();
        MessageSender discard = new MessageSender() {
            @Override
            public void send(ByteBuf message, Destination destination, java.util.function.Consumer<Throwable> f) {
                message.release();
            }
        };
        TransactionTable table = new TransactionTable(timers, SipTimers.defaults(), discard);
        timers.runDue();
        GraphLayout empty = GraphLayout.parseInstance(table, timers);
        InetAddress caller = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        for (int i = 0; i < N; i++) {
            settle(new InviteServerTransaction(table, key("INVITE", i), udp(caller), callId(i)), 200);
        }
        timers.runDue();
        GraphLayout invites = GraphLayout.parseInstance(table, timers);
        for (int i = 0; i < N; i++) {
            settle(new NonInviteServerTransaction(table, key("BYE", i), udp(caller), callId(i)), 200);
        }
        timers.runDue();
        GraphLayout both = GraphLayout.parseInstance(table, timers);
        if (table.size() != 2 * N) {
            throw new IllegalStateException("table holds " + table.size() + " transactions, not " + 2 * N);
        }
        report("INVITE answered 2xx (Accepted, Timer L)", empty, invites);
        report("BYE answered 200 over UDP (Completed, Timer J)", invites, both);
        System.out.println("per call (both): " + (both.totalSize() - empty.totalSize()) / N + " bytes");
    }

    /** What the proxy does with a call's server transaction: 100 (INVITE), the final response, then lets go. */
    private static void settle(ServerTransaction st, int status) {
        st.owner(new Object());
        st.onTerminated(() -> { });
        if (st instanceof InviteServerTransaction) {
            st.sendResponse(100, response());
        }
        st.sendResponse(status, response());
        st.owner(null);
        st.onTerminated(() -> { });
    }

    private static void report(String what, GraphLayout before, GraphLayout after) {
        System.out.printf("%s: %d objects, %d bytes per transaction%n", what,
                (after.totalCount() - before.totalCount()) / N, (after.totalSize() - before.totalSize()) / N);
    }

    /** As parsed from a sipp caller's request: new strings for every message. */
    private static ServerKey key(String method, int i) {
        return new ServerKey(new String("z9hG4bK-12345-" + i + "-" + method.length()), new String("127.0.0.1:5061"),
                method);
    }

    private static String callId(int i) {
        return i + "-12345@127.0.0.1";
    }

    private static Destination udp(InetAddress caller) {
        return Destination.of(Transport.UDP, new InetSocketAddress(caller, 5061));
    }

    private static ByteBuf response() {
        return Unpooled.wrappedBuffer(new byte[RESPONSE_BYTES]);
    }

    /**
     * Stands in for the event loop's timers: a task is a small object in a list (Netty's {@code ScheduledFutureTask}
     * in its queue is larger); a cancelled task leaves the list, as Netty's does. Time does not move: only tasks due at
     * once run ({@link #runDue()}, what the loop does right after the event), so the measurement is taken within 64*T1
     * of every completion.
     */
    private static final class Timers implements SipScheduler {
        private List<Task> pending = new ArrayList<>();

        private static final class Task implements Cancellable {
            final long due;
            Runnable action;

            Task(long due, Runnable action) {
                this.due = due;
                this.action = action;
            }

            @Override
            public void cancel() {
                action = null;
            }
        }

        @Override
        public Cancellable schedule(Runnable task, Duration delay) {
            Task t = new Task(delay.toNanos(), task);
            pending.add(t);
            return t;
        }

        @Override
        public long nanoTime() {
            return 0;
        }

        void runDue() {
            List<Task> due = new ArrayList<>();
            List<Task> later = new ArrayList<>();
            for (Task t : pending) {
                if (t.action != null) {
                    (t.due <= 0 ? due : later).add(t);
                }
            }
            pending = later;
            due.forEach(t -> t.action.run());
        }
    }
}
