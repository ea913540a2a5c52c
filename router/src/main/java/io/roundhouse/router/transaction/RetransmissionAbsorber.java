package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.transport.Destination;

/**
 * What is left of a server transaction once its final response is sent and it only absorbs retransmitted requests:
 * RFC 3261 §17.2.2 Completed (Timer J) and RFC 6026 §8.5 Accepted (Timer L), 64*T1 (32 s at default timers). It
 * takes the transaction's place in the table under the same key: a retransmitted non-INVITE gets the last response
 * again, a retransmitted INVITE after a 2xx is absorbed silently (the UAS retransmits its 2xx end to end). It holds no
 * state machine, no timer of its own (the table expires absorbers in completion order) and, after a 2xx, neither
 * destination nor Call-ID: at thousands of calls per second these 32 s were most of the router's live heap
 * (docs/performance.md, "Live set of completed transactions").
 */
final class RetransmissionAbsorber extends ServerTransaction {

    /** When the table ends it: 64*T1 after completion, on the scheduler's clock. */
    final long expiresAtNanos;

    /**
     * @param resend the final response to send again (owned), or null to absorb silently; with null,
     *               {@code destination} and {@code callId} may be null too: nothing is ever sent
     */
    RetransmissionAbsorber(TransactionTable table, ServerKey key, Destination destination, String callId, int status,
                           ByteBuf resend, long expiresAtNanos) {
        super(table, key, destination, callId);
        this.lastStatus = status;
        this.lastResponse = resend;
        this.expiresAtNanos = expiresAtNanos;
    }

    /** The final response was sent already: a late one (another branch's) goes nowhere. */
    @Override
    public void sendResponse(int status, ByteBuf response) {
        response.release();
    }

    @Override
    public void onRetransmission() {
        if (lastResponse != null) {
            transmit(lastResponse);
        }
    }

    @Override
    protected void cancelTimers() {
        // None: the table's expiry queue skips an absorber that has ended.
    }
}
