package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;

/**
 * A client transaction (RFC 3261 §17.1): sends a request, retransmits it over UDP, times out, and passes responses up
 * to its {@link ClientTransactionListener}.
 */
public abstract sealed class ClientTransaction extends Transaction
        permits InviteClientTransaction, NonInviteClientTransaction {

    private final String branch;
    private final String method;
    protected ByteBuf request;
    protected ClientTransactionListener listener;
    private boolean provisionalReceived;
    private boolean responseReceived;
    private Object context;

    protected ClientTransaction(TransactionTable table, String branch, String method, ByteBuf request,
                                Destination destination, ClientTransactionListener listener) {
        super(table, destination);
        this.branch = branch;
        this.method = method;
        this.request = request;
        this.listener = listener;
        table.add(this);
    }

    public String branch() {
        return branch;
    }

    public String method() {
        return method;
    }

    /** The request as sent (shared; do not release), or null once the transaction has completed. */
    public ByteBuf request() {
        return request;
    }

    /** True once any response (even 100) arrived. */
    public boolean responseReceived() {
        return responseReceived;
    }

    /** True once a provisional response arrived: only then may a CANCEL be sent (§9.1). */
    public boolean provisionalReceived() {
        return provisionalReceived;
    }

    /** Free slot for the transaction user (e.g. which dispatch attempt this is). */
    public Object context() {
        return context;
    }

    public void context(Object value) {
        this.context = value;
    }

    /** Sends the request and starts the timers. */
    public abstract void start();

    /** A response matched this transaction (§17.1.3). */
    public final void onResponse(SipMessage response) {
        if (isTerminated()) {
            return;
        }
        responseReceived = true;
        if (response.statusCode() < 200) {
            provisionalReceived = true;
        }
        handleResponse(response);
    }

    protected abstract void handleResponse(SipMessage response);

    /**
     * Stops retransmitting and stops telling the listener about timeouts, but keeps matching responses until the
     * transaction times out: the proxy gave up on this branch (failover) and still wants to know of a late answer.
     */
    public abstract void abandon();

    protected void transmit() {
        if (request == null) {
            return;
        }
        table.sender().send(request.retainedDuplicate(), destination(), e -> table.scheduler()
                .schedule(() -> transportError(), Duration.ZERO));
    }

    /** §17.1.4: a transport error is reported like a timeout. */
    private void transportError() {
        if (!isTerminated() && !responseReceived) {
            ClientTransactionListener l = listener;
            terminate();
            l.onTimeout(this, true);
        }
    }

    protected void terminate() {
        if (!markTerminated()) {
            return;
        }
        cancelTimers();
        if (request != null) {
            request.release();
            request = null;
        }
        listener = null;
        table.remove(this);
    }

    /**
     * The final response has been passed up; the transaction only absorbs retransmissions until Timer D. Drop the
     * request and the listener now, so that a finished call is not kept alive by its last transaction.
     */
    protected void completed() {
        if (request != null) {
            request.release();
            request = null;
        }
        listener = null;
    }

    protected abstract void cancelTimers();
}
