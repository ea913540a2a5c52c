package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transaction.ClientTransaction;
import io.roundhouse.router.transaction.HopByHop;
import io.roundhouse.router.transaction.NonInviteClientTransaction;
import io.roundhouse.router.transaction.NonInviteServerTransaction;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.ServerTransaction;
import java.util.List;

/**
 * CANCEL, both ways (RFC 3261 §9, §16.10).
 *
 * <p>From the caller: the CANCEL gets its own server transaction and is answered at once, 200 when it matches an
 * INVITE server transaction (§9.2, even when that INVITE already has its final response), 481 when it does not (§16.10
 * would forward an unmatched CANCEL statelessly; without a call there is no node to send it to). The matching call
 * then cancels itself ({@link ProxyCall#cancel}); its INVITE is answered 487 by the node or by the router.
 *
 * <p>Towards a node: a branch is cancelled at most once, by a CANCEL built from the branch's own INVITE (§9.1: same
 * Request-URI, Call-ID, From, To, CSeq number and the branch's single Via), sent to where that INVITE went, in a client
 * transaction whose responses matter to nobody.
 */
final class CancelProcessing {

    private CancelProcessing() {
    }

    /** A CANCEL from upstream that is no retransmission (§16.10). */
    static void onCancel(ProxyContext c, SipMessage m, Inbound in) {
        ServerKey inviteKey = ServerKey.ofInvite(m);
        ServerTransaction inviteTx = c.table().server(inviteKey);
        ServerTransaction st = new NonInviteServerTransaction(c.table(), ServerKey.of(m), in.responseDestination(),
                m.callIdOrEmpty());
        if (inviteTx == null && !c.table().knows(inviteKey)) {
            c.responses().respond(m, in, st, 481, "Call/Transaction Does Not Exist", List.of());
            return;
        }
        c.responses().respond(m, in, st, 200, "OK", List.of());
        // §9.2: a CANCEL of an INVITE that has its final response has no effect, but is answered 200.
        if (inviteTx != null && inviteTx.owner() instanceof ProxyCall call) {
            call.cancel();
        }
    }

    /**
     * Cancels the INVITE branch {@code ct}, once. The caller must know that the branch has received a provisional
     * response (§9.1: until then a CANCEL may cross the INVITE and find nothing to cancel); a branch that has ended
     * needs none.
     */
    static void cancelBranch(ProxyContext c, ClientTransaction ct) {
        if (ct.context() == CancelSent.INSTANCE || ct.isTerminated() || ct.request() == null) {
            return;
        }
        ct.context(CancelSent.INSTANCE);
        ByteBuf cancel = HopByHop.cancelFor(ct.request());
        NonInviteClientTransaction cancelTx = new NonInviteClientTransaction(c.table(), ct.branch(), "CANCEL", cancel,
                ct.destination(), IgnoreResponses.INSTANCE);
        c.metrics().out();
        cancelTx.start();
    }

    /** Marks a branch whose CANCEL was sent ({@link ClientTransaction#context}). */
    private enum CancelSent { INSTANCE }
}
