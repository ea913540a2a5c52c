package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transaction.SipScheduler.Cancellable;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;

/** INVITE client transaction (RFC 3261 §17.1.1, Figure 5). */
public final class InviteClientTransaction extends ClientTransaction {

    public enum State { CALLING, PROCEEDING, COMPLETED, TERMINATED }

    private State state = State.CALLING;
    private Cancellable timerA = Cancellable.NONE;
    private Cancellable timerB = Cancellable.NONE;
    private Cancellable timerD = Cancellable.NONE;
    private Duration aInterval;
    private ByteBuf ack;
    private boolean abandoned;

    public InviteClientTransaction(TransactionTable table, String branch, ByteBuf request, Destination destination,
                                   ClientTransactionListener listener) {
        super(table, branch, "INVITE", request, destination, listener);
    }

    public State state() {
        return state;
    }

    @Override
    public void start() {
        transmit();
        if (!reliable()) {
            aInterval = table.timers().t1();
            timerA = schedule(this::fireA, aInterval);
        }
        timerB = schedule(this::fireB, table.timers().timerB());
    }

    private void fireA() {
        if (state != State.CALLING || abandoned) {
            return;
        }
        transmit();
        // §17.1.1.2: Timer A doubles each time, without the T2 cap of non-INVITE requests.
        aInterval = aInterval.multipliedBy(2);
        timerA = schedule(this::fireA, aInterval);
    }

    private void fireB() {
        if (state != State.CALLING) {
            return;
        }
        ClientTransactionListener l = listener;
        terminate();
        if (!abandoned) {
            l.onTimeout(this, false);
        }
    }

    @Override
    protected void handleResponse(SipMessage response) {
        int status = response.statusCode();
        switch (state) {
            case CALLING, PROCEEDING -> {
                if (status < 200) {
                    state = State.PROCEEDING;
                    timerA.cancel();
                    listener.onResponse(this, response);
                } else if (status < 300) {
                    // §17.1.1.2: a 2xx ends the transaction; the ACK is end to end.
                    ClientTransactionListener l = listener;
                    terminate();
                    l.onResponse(this, response);
                } else {
                    state = State.COMPLETED;
                    timerA.cancel();
                    timerB.cancel();
                    ack = HopByHop.ackFor(request, response);
                    sendAck();
                    ClientTransactionListener l = listener;
                    if (reliable()) {
                        terminate();
                    } else {
                        completed();
                        timerD = schedule(this::terminate, table.timers().timerD());
                    }
                    l.onResponse(this, response);
                }
            }
            case COMPLETED -> {
                if (status >= 300) {
                    sendAck(); // a retransmitted final response: ACK again, do not pass up (§17.1.1.2)
                }
            }
            default -> {
            }
        }
    }

    private void sendAck() {
        table.sender().send(ack.retainedDuplicate(), destination(), e -> { });
    }

    @Override
    public void abandon() {
        abandoned = true;
        timerA.cancel();
        if (state == State.PROCEEDING) {
            // §9.1: without a final response the transaction is destroyed 64*T1 later (Timer B acts only in Calling).
            timerB.cancel();
            timerB = schedule(this::terminate, table.timers().sixtyFourT1());
        }
    }

    /** True after {@link #abandon()}. */
    public boolean abandoned() {
        return abandoned;
    }

    @Override
    protected void terminate() {
        state = State.TERMINATED;
        if (ack != null) {
            ack.release();
            ack = null;
        }
        super.terminate();
    }

    @Override
    protected void cancelTimers() {
        timerA.cancel();
        timerB.cancel();
        timerD.cancel();
    }
}
