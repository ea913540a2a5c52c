package io.roundhouse.router.transaction;

import io.roundhouse.router.config.SipTimers;
import io.roundhouse.router.transport.MessageSender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The live transactions of one event loop (RFC 3261 §17), with what they need to run: timers, a clock and the
 * transport. Only touched on the event loop; {@link #size()} may be read from any thread.
 */
public final class TransactionTable {

    private final Map<ServerKey, ServerTransaction> servers = new HashMap<>();
    private final Map<String, ClientTransaction> clients = new HashMap<>();
    /**
     * Server transactions past their final response, as bytes, ending in completion order (all live 64*T1): one timer
     * for the table, due at the oldest's expiry (at most every {@link #EXPIRY_TICK_NANOS}), instead of one each.
     */
    private final CompletedTransactions completed;
    private final SipScheduler scheduler;
    private final SipTimers timers;
    private final MessageSender sender;
    private volatile int size;
    private boolean expiryScheduled;
    private long lastExpiry = Long.MIN_VALUE;

    /** Completed transactions end at most this late after 64*T1, so the table's timer runs at most 10 times a second. */
    static final long EXPIRY_TICK_NANOS = 100_000_000L;
    /** Completed transactions kept at most: 64*T1 of 2 a call at 16,000 calls/s. */
    private static final int MAX_COMPLETED = 1 << 20;
    /** Their bytes at most: about 16 MB per 1,000 calls/s (about 500 bytes a call, a BYE's 200 included). */
    private static final long MAX_COMPLETED_BYTES = 256L << 20;

    public TransactionTable(SipScheduler scheduler, SipTimers timers, MessageSender sender) {
        this.scheduler = scheduler;
        this.timers = timers;
        this.sender = sender;
        this.completed = new CompletedTransactions(MAX_COMPLETED, MAX_COMPLETED_BYTES,
                CompletedTransactions.chunkBytesForThisHeap());
    }

    SipScheduler scheduler() {
        return scheduler;
    }

    SipTimers timers() {
        return timers;
    }

    MessageSender sender() {
        return sender;
    }

    /** Live server plus client transactions, completed ones included. */
    public int size() {
        return size;
    }

    /** Completed transactions ended before 64*T1 because the table's bounds were reached. */
    public long completedEndedEarly() {
        return completed.endedEarly();
    }

    /** Server transactions that have not sent their final response yet: calls and requests in progress. */
    public int awaitingFinalResponse() {
        int n = 0;
        for (ServerTransaction t : servers.values()) {
            if (!t.finalSent()) {
                n++;
            }
        }
        return n;
    }

    /** The server transaction of {@code key} that has not sent its final response yet, or null. */
    public ServerTransaction server(ServerKey key) {
        return servers.get(key);
    }

    /** True when a server transaction of {@code key} is in progress or completed (absorbing retransmissions). */
    public boolean knows(ServerKey key) {
        return servers.containsKey(key) || completed.contains(key);
    }

    /**
     * A request with {@code key} arrived again (§17.2.1, §17.2.2): the transaction in progress or completed answers it
     * with its last response, if any. False when no transaction has that key.
     */
    public boolean retransmission(ServerKey key) {
        ServerTransaction live = servers.get(key);
        if (live != null) {
            live.onRetransmission();
            return true;
        }
        return completed.retransmission(key, sender, PooledByteBufAllocator.DEFAULT);
    }

    /** The client transaction a response belongs to (§17.1.3: branch and CSeq method). */
    public ClientTransaction client(String branch, String method) {
        return clients.get(clientKey(branch, method));
    }

    void add(ServerTransaction t) {
        servers.put(t.key(), t);
        updateSize();
    }

    void add(ClientTransaction t) {
        clients.put(clientKey(t.branch(), t.method()), t);
        updateSize();
    }

    /**
     * The server transaction of {@code key} sent its final response and ended: for 64*T1 its retransmissions are
     * absorbed, with {@code resend} sent again to {@code resendTo} (released here; null: absorbed silently).
     */
    void completed(ServerKey key, ByteBuf resend, Destination resendTo) {
        try {
            completed.add(key, scheduler.nanoTime() + timers.sixtyFourT1().toNanos(), resend, resendTo);
        } finally {
            if (resend != null) {
                resend.release();
            }
        }
        updateSize();
        if (!expiryScheduled && completed.size() > 0) {
            scheduleExpiry();
        }
    }

    private void scheduleExpiry() {
        long now = scheduler.nanoTime();
        long at = Math.max(completed.oldestExpiry(), lastExpiry + EXPIRY_TICK_NANOS);
        expiryScheduled = true;
        scheduler.schedule(this::expireCompleted, Duration.ofNanos(Math.max(0, at - now)));
    }

    private void expireCompleted() {
        expiryScheduled = false;
        lastExpiry = scheduler.nanoTime();
        completed.expire(lastExpiry);
        updateSize();
        if (completed.size() > 0) {
            scheduleExpiry();
        }
    }

    void remove(ServerTransaction t) {
        servers.remove(t.key(), t);
        updateSize();
    }

    void remove(ClientTransaction t) {
        clients.remove(clientKey(t.branch(), t.method()), t);
        updateSize();
    }

    private void updateSize() {
        size = servers.size() + clients.size() + completed.size();
    }

    /** The owners of the live server transactions (the proxy's calls still in progress), copied: rare sweeps only. */
    public java.util.List<Object> serverOwners() {
        java.util.List<Object> owners = new java.util.ArrayList<>();
        for (ServerTransaction t : servers.values()) {
            if (t.owner() != null) {
                owners.add(t.owner());
            }
        }
        return owners;
    }

    /** Ends every transaction at once, releasing what they hold (router shutdown). */
    public void clear() {
        for (ServerTransaction t : new java.util.ArrayList<>(servers.values())) {
            t.terminate();
        }
        for (ClientTransaction t : new java.util.ArrayList<>(clients.values())) {
            t.terminate();
        }
        completed.clear();
        updateSize();
    }

    private static String clientKey(String branch, String method) {
        return method.equals("ACK") ? branch + " INVITE" : branch + " " + method;
    }
}
