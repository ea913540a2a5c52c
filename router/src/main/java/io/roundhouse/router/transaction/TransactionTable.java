package io.roundhouse.router.transaction;

import io.roundhouse.router.config.SipTimers;
import io.roundhouse.router.transport.MessageSender;
import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;
import java.util.ArrayDeque;
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
     * Absorbers in completion order, which is expiry order (all live 64*T1): one timer for the table, due at the
     * oldest's expiry, instead of one per transaction.
     */
    private final ArrayDeque<RetransmissionAbsorber> absorbers = new ArrayDeque<>();
    private final SipScheduler scheduler;
    private final SipTimers timers;
    private final MessageSender sender;
    private volatile int size;

    public TransactionTable(SipScheduler scheduler, SipTimers timers, MessageSender sender) {
        this.scheduler = scheduler;
        this.timers = timers;
        this.sender = sender;
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

    /** Live server plus client transactions. */
    public int size() {
        return size;
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

    public ServerTransaction server(ServerKey key) {
        return servers.get(key);
    }

    /** The client transaction a response belongs to (§17.1.3: branch and CSeq method). */
    public ClientTransaction client(String branch, String method) {
        return clients.get(clientKey(branch, method));
    }

    void add(ServerTransaction t) {
        servers.put(t.key(), t);
        size = servers.size() + clients.size();
    }

    void add(ClientTransaction t) {
        clients.put(clientKey(t.branch(), t.method()), t);
        size = servers.size() + clients.size();
    }

    /** A server transaction has its final response: {@link RetransmissionAbsorber} takes its key for 64*T1. */
    void absorb(ServerKey key, Destination resendTo, String callId, int status, ByteBuf resend) {
        long expiresAt = scheduler.nanoTime() + timers.sixtyFourT1().toNanos();
        absorbers.addLast(new RetransmissionAbsorber(this, key, resendTo, callId, status, resend, expiresAt));
        if (absorbers.size() == 1) {
            expireAt(expiresAt);
        }
    }

    private void expireAt(long nanos) {
        scheduler.schedule(this::expireAbsorbers, Duration.ofNanos(Math.max(0, nanos - scheduler.nanoTime())));
    }

    private void expireAbsorbers() {
        long now = scheduler.nanoTime();
        while (!absorbers.isEmpty() && absorbers.peekFirst().expiresAtNanos <= now) {
            absorbers.pollFirst().terminate(); // a no-op for one that ended already
        }
        if (!absorbers.isEmpty()) {
            expireAt(absorbers.peekFirst().expiresAtNanos);
        }
    }

    void remove(ServerTransaction t) {
        servers.remove(t.key(), t);
        size = servers.size() + clients.size();
    }

    void remove(ClientTransaction t) {
        clients.remove(clientKey(t.branch(), t.method()), t);
        size = servers.size() + clients.size();
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
        absorbers.clear();
    }

    private static String clientKey(String branch, String method) {
        return method.equals("ACK") ? branch + " INVITE" : branch + " " + method;
    }
}
