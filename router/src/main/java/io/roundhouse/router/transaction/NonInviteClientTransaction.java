package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transaction.SipScheduler.Cancellable;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;

/** Non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6). */
public final class NonInviteClientTransaction extends ClientTransaction {

    public enum State { TRYING, PROCEEDING, COMPLETED, TERMINATED }

    private State state = State.TRYING;
    private Cancellable timerE = Cancellable.NONE;
    private Cancellable timerF = Cancellable.NONE;
    private Duration eInterval;
    private boolean abandoned;

    public NonInviteClientTransaction(TransactionTable table, String branch, String method, ByteBuf request,
                                      Destination destination, ClientTransactionListener listener) {
        super(table, branch, method, request, destination, listener);
    }

    public State state() {
        return state;
    }

    @Override
    public void start() {
        transmit();
        if (!reliable()) {
            eInterval = table.timers().t1();
            timerE = schedule(this::fireE, eInterval);
        }
        timerF = schedule(this::fireF, table.timers().timerF());
    }

    private void fireE() {
        if (state != State.TRYING && state != State.PROCEEDING || abandoned) {
            return;
        }
        transmit();
        // §17.1.2.2: doubling up to T2 while Trying; T2 once Proceeding.
        Duration doubled = eInterval.multipliedBy(2);
        eInterval = state == State.PROCEEDING || doubled.compareTo(table.timers().t2()) > 0
                ? table.timers().t2() : doubled;
        timerE = schedule(this::fireE, eInterval);
    }

    private void fireF() {
        ClientTransactionListener l = listener;
        terminate();
        if (!abandoned) {
            l.onTimeout(this, false);
        }
    }

    @Override
    protected void handleResponse(SipMessage response) {
        if (state != State.TRYING && state != State.PROCEEDING) {
            return; // retransmission in Completed: absorbed
        }
        if (response.statusCode() < 200) {
            state = State.PROCEEDING;
            listener.onResponse(this, response);
            return;
        }
        state = State.COMPLETED;
        ClientTransactionListener l = listener;
        // Timer K is zero here over every transport (§17.1.2.2 sets it to T4 over UDP only to absorb retransmitted
        // responses): a response that matches no transaction is absorbed by the proxy anyway (§16.7 forwards only
        // an INVITE's 2xx statelessly), and a transaction kept 5 s per BYE was what G1 copied most in young pauses
        // once completed server transactions left the heap (docs/decisions.md, "Completed transactions as bytes").
        terminate();
        l.onResponse(this, response);
    }

    @Override
    public void abandon() {
        abandoned = true;
        timerE.cancel();
    }

    @Override
    protected void terminate() {
        state = State.TERMINATED;
        super.terminate();
    }

    @Override
    protected void cancelTimers() {
        timerE.cancel();
        timerF.cancel();
    }
}
