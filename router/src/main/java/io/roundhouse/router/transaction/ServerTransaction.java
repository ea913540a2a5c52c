package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transport.Destination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server transaction (RFC 3261 §17.2): absorbs retransmitted requests by resending the last response, and on UDP
 * retransmits a final response until it is acknowledged (INVITE) or for a while (non-INVITE).
 */
public abstract sealed class ServerTransaction extends Transaction
        permits InviteServerTransaction, NonInviteServerTransaction {

    private static final Logger log = LoggerFactory.getLogger(ServerTransaction.class);

    private final ServerKey key;
    private final String callId;
    /** The last response sent (owned; null before the first). */
    protected ByteBuf lastResponse;
    protected int lastStatus;
    private Runnable onTerminated = () -> { };
    private Object owner;

    protected ServerTransaction(TransactionTable table, ServerKey key, Destination destination, String callId) {
        super(table, destination);
        this.key = key;
        this.callId = callId;
        table.add(this);
    }

    public ServerKey key() {
        return key;
    }

    public String callId() {
        return callId;
    }

    public int lastStatus() {
        return lastStatus;
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
        table.sender().send(response.retainedDuplicate(), destination(),
                e -> log.debug("call {}: response to {} not sent: {}", callId, destination(), e.toString()));
    }

    protected void keepLast(int status, ByteBuf response) {
        if (lastResponse != null) {
            lastResponse.release();
        }
        lastResponse = response;
        lastStatus = status;
    }

    /**
     * The final response is sent and only retransmissions remain to absorb: the table keeps this transaction's key
     * for 64*T1 as a completed one ({@link CompletedTransactions}) with {@code resend} (owned; null: absorb silently),
     * and this object ends. The transaction user hears {@link #onTerminated} right after the current event (not within
     * the {@code sendResponse} that got here), so that it finishes the call first; it needs nothing of it afterwards.
     */
    protected void handOver(ByteBuf resend, Destination resendTo) {
        if (!markTerminated()) {
            return;
        }
        cancelTimers();
        if (lastResponse != null && lastResponse != resend) {
            lastResponse.release();
        }
        lastResponse = null;
        table.remove(this);
        table.completed(key, resend, resendTo);
        table.scheduler().schedule(() -> onTerminated.run(), java.time.Duration.ZERO);
    }

    protected void terminate() {
        if (!markTerminated()) {
            return;
        }
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
