package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transaction.NonInviteClientTransaction;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.Destination;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Legs the router ends itself ({@link UnwantedAnswer}): a 2xx nobody will take is acknowledged and hung up, and its
 * retransmissions (for 64*T1, while the node may still resend it) get the same ACK again instead of going upstream.
 * Event loop only.
 */
final class EndedLegs {

    private static final Logger log = LoggerFactory.getLogger(EndedLegs.class);

    /** By their INVITE's branch. */
    private final Map<String, EndedLeg> legs = new HashMap<>();
    private final LocalAddresses locals;
    private final NextHops nextHops;
    private final TransactionTable table;
    private final SipScheduler scheduler;
    private final Duration remembered;
    private final ProxyMetrics metrics;
    private final Outbound out;

    EndedLegs(LocalAddresses locals, NextHops nextHops, TransactionTable table, SipScheduler scheduler,
              Duration remembered, ProxyMetrics metrics, Outbound out) {
        this.locals = locals;
        this.nextHops = nextHops;
        this.table = table;
        this.scheduler = scheduler;
        this.remembered = remembered;
        this.metrics = metrics;
        this.out = out;
    }

    private record EndedLeg(byte[] ack, Destination destination) {
    }

    /**
     * A 2xx to an INVITE matching no client transaction: when it is the retransmission of a 2xx the router ended, the
     * ACK is sent again and true returned (it must never go upstream).
     */
    boolean acknowledgeAgain(SipMessage ok, String inviteBranch) {
        EndedLeg ended = legs.get(inviteBranch);
        if (ended == null) {
            return false;
        }
        out.send(Unpooled.wrappedBuffer(ended.ack()), ended.destination(), ok.callIdOrEmpty());
        return true;
    }

    /**
     * A 2xx that nobody will take (its branch was given up and the caller already has its final response): ACK it,
     * then BYE it, as §13.2.2.4 asks of a UAC with an unwanted 2xx, instead of forwarding it.
     */
    void end(SipMessage ok) {
        String inviteBranch = ok.topVia().branch();
        String callId = ok.callIdOrEmpty();
        if (acknowledgeAgain(ok, inviteBranch)) {
            return;
        }
        metrics.legEnded();
        UnwantedAnswer leg = UnwantedAnswer.of(ok, locals);
        if (leg == null) {
            log.warn("call {}: a node answered 2xx after the call went elsewhere, with no Contact to end it at",
                    callId);
            return;
        }
        nextHops.resolve(leg.nextHop(), dest -> leg.request(false, locals.via(dest.transport(),
                locals.pointFor(dest.transport(), dest.address()), UnwantedAnswer.branch("a"))), (ack, dest) -> {
                    legs.put(inviteBranch, new EndedLeg(ByteBufUtil.getBytes(ack), dest));
                    scheduler.schedule(() -> legs.remove(inviteBranch), remembered);
                    out.send(ack, dest, callId);
                    String byeBranch = UnwantedAnswer.branch("b");
                    ByteBuf bye = leg.request(true, locals.via(dest.transport(), locals.pointFor(dest.transport(),
                            dest.address()), byeBranch));
                    NonInviteClientTransaction tx = new NonInviteClientTransaction(table, byeBranch, "BYE", bye, dest,
                            IgnoreResponses.INSTANCE);
                    metrics.out();
                    tx.start();
                    log.debug("call {}: 2xx from {} after the call went elsewhere: acknowledged and hung up", callId,
                            dest);
                }, reason -> log.debug("call {}: cannot end an unwanted 2xx: {}", callId, reason));
    }
}
