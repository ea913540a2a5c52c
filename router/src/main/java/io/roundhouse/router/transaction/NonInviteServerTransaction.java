package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transport.Destination;

/** Non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8). */
public final class NonInviteServerTransaction extends ServerTransaction {

    public enum State { TRYING, PROCEEDING, COMPLETED, TERMINATED }

    private State state = State.TRYING;

    public NonInviteServerTransaction(TransactionTable table, ServerKey key, Destination destination, String callId) {
        super(table, key, destination, callId);
    }

    public State state() {
        return state;
    }

    @Override
    public void sendResponse(int status, ByteBuf response) {
        if (state == State.COMPLETED || state == State.TERMINATED) {
            response.release();
            return;
        }
        transmit(response);
        keepLast(status, response);
        if (status < 200) {
            state = State.PROCEEDING;
            return;
        }
        state = State.COMPLETED;
        if (reliable()) {
            terminate();
        } else {
            // Timer J (§17.2.2): the final response is resent to retransmissions, from the table's completed transactions.
            handOver(lastResponse, destination());
        }
    }

    @Override
    public void onRetransmission() {
        if ((state == State.PROCEEDING || state == State.COMPLETED) && lastResponse != null) {
            transmit(lastResponse);
        }
    }

    @Override
    protected void terminate() {
        state = State.TERMINATED;
        super.terminate();
    }

    @Override
    protected void cancelTimers() {
        // Timer J is the table's: this transaction has no timer of its own.
    }
}
