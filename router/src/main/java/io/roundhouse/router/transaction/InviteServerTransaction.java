package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transaction.SipScheduler.Cancellable;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;

/**
 * INVITE server transaction (RFC 3261 §17.2.1, with the Accepted state of RFC 6026 §8.5 so that a retransmitted
 * INVITE after a 2xx is absorbed instead of starting a second call).
 */
public final class InviteServerTransaction extends ServerTransaction {

    /** RFC 3261 Figure 7 states, plus Accepted from RFC 6026. */
    public enum State { PROCEEDING, COMPLETED, CONFIRMED, ACCEPTED, TERMINATED }

    private State state = State.PROCEEDING;
    private Cancellable timerG = Cancellable.NONE;
    private Cancellable timerH = Cancellable.NONE;
    private Cancellable timerI = Cancellable.NONE;
    private Duration gInterval;

    public InviteServerTransaction(TransactionTable table, ServerKey key, Destination destination, String callId) {
        super(table, key, destination, callId);
    }

    public State state() {
        return state;
    }

    @Override
    public void sendResponse(int status, ByteBuf response) {
        if (state != State.PROCEEDING) {
            // A late response from another branch: the caller already has its final answer.
            response.release();
            return;
        }
        transmit(response);
        if (status >= 200 && status < 300) {
            // §17.2.1 as updated by RFC 6026: Accepted for Timer L; 2xx retransmissions come from the UAS end to end,
            // so the 2xx itself need not be kept, nor where it went: a retransmitted INVITE is only absorbed.
            response.release();
            lastStatus = status;
            state = State.ACCEPTED;
            handOver(null, null);
            return;
        }
        keepLast(status, response);
        if (status < 200) {
            return;
        }
        state = State.COMPLETED;
        if (!reliable()) {
            gInterval = table.timers().t1();
            timerG = schedule(this::fireG, gInterval);
        }
        timerH = schedule(this::terminate, table.timers().sixtyFourT1());
    }

    private void fireG() {
        if (state != State.COMPLETED) {
            return;
        }
        transmit(lastResponse);
        Duration doubled = gInterval.multipliedBy(2);
        gInterval = doubled.compareTo(table.timers().t2()) > 0 ? table.timers().t2() : doubled;
        timerG = schedule(this::fireG, gInterval);
    }

    @Override
    public void onRetransmission() {
        if ((state == State.PROCEEDING || state == State.COMPLETED) && lastResponse != null) {
            transmit(lastResponse);
        }
    }

    /** The ACK for a non-2xx final response arrived (§17.2.1): absorbed hop by hop. */
    public void onAck() {
        if (state != State.COMPLETED) {
            return;
        }
        state = State.CONFIRMED;
        timerG.cancel();
        timerH.cancel();
        if (reliable()) {
            terminate();
        } else {
            timerI = schedule(this::terminate, table.timers().t4());
        }
    }

    @Override
    protected void terminate() {
        state = State.TERMINATED;
        super.terminate();
    }

    @Override
    protected void cancelTimers() {
        timerG.cancel();
        timerH.cancel();
        timerI.cancel();
    }
}
