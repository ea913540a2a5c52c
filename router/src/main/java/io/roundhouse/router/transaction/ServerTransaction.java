package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transaction.SipScheduler.Cancellable;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server transaction (RFC 3261 §17.2): absorbs retransmitted requests by resending the last response, and on UDP
 * retransmits a final response until it is acknowledged (INVITE) or for a while (non-INVITE).
 */
public abstract sealed class ServerTransaction permits InviteServerTransaction, NonInviteServerTransaction {

    private static final Logger log = LoggerFactory.getLogger(ServerTransaction.class);

    protected final TransactionTable table;
    private final ServerKey key;
    private final Destination destination;
    private final String callId;
    /** The last response sent (owned; null before the first). */
    protected ByteBuf lastResponse;
    protected int lastStatus;
    private boolean terminated;
    private Runnable onTerminated = () -> { };
    private Object owner;

    protected ServerTransaction(TransactionTable table, ServerKey key, Destination destination, String callId) {
        this.table = table;
        this.key = key;
        this.destination = destination;
        this.callId = callId;
        table.add(this);
    }

    public ServerKey key() {
        return key;
    }

    /** Where responses go: the request's connection or its received/rport address (§18.2.2). */
    public Destination destination() {
        return destination;
    }

    public String callId() {
        return callId;
    }

    public int lastStatus() {
        return lastStatus;
    }

    public boolean isTerminated() {
        return terminated;
    }

    /** True once a final response was sent. */
    public boolean finalSent() {
        return lastStatus >= 200;
    }

    /** The transaction user (the proxy's response context), or null. */
    public Object owner() {
        return owner;
    }

    public void owner(Object value) {
        this.owner = value;
    }

    /** Runs when the transaction ends (the proxy frees its response context). */
    public void onTerminated(Runnable action) {
        this.onTerminated = action;
    }

    /** Sends a response; ownership of {@code response} passes to the transaction. */
    public abstract void sendResponse(int status, ByteBuf response);

    /** The same request arrived again (§17.2.1, §17.2.2). */
    public abstract void onRetransmission();

    protected void transmit(ByteBuf response) {
        table.sender().send(response.retainedDuplicate(), destination,
                e -> log.debug("call {}: response to {} not sent: {}", callId, destination, e.toString()));
    }

    protected void keepLast(int status, ByteBuf response) {
        if (lastResponse != null) {
            lastResponse.release();
        }
        lastResponse = response;
        lastStatus = status;
    }

    protected Cancellable schedule(Runnable task, Duration delay) {
        return table.scheduler().schedule(() -> {
            if (!terminated) {
                task.run();
            }
        }, delay);
    }

    protected boolean reliable() {
        return destination.transport().reliable();
    }

    protected void terminate() {
        if (terminated) {
            return;
        }
        terminated = true;
        cancelTimers();
        if (lastResponse != null) {
            lastResponse.release();
            lastResponse = null;
        }
        table.remove(this);
        onTerminated.run();
    }

    protected abstract void cancelTimers();
}
