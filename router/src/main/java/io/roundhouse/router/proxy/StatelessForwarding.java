package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.sip.Via;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the proxy sends on without a transaction (RFC 3261 §16.11): the ACK of a 2xx, by its Route set or flow, and a
 * response no client transaction matches (a 2xx retransmission, §16.7 item 5), by its second Via (§18.2.2). Nothing
 * is kept: a retransmission is forwarded again. One instance per router, built once; {@link ProxyCore} decides what
 * comes here.
 */
final class StatelessForwarding {

    private static final Logger log = LoggerFactory.getLogger(StatelessForwarding.class);

    private final MessageWriter writer;
    private final NextHops nextHops;
    private final RelayRule relay;
    private final Outbound out;
    private final ProxyMetrics metrics;

    StatelessForwarding(MessageWriter writer, NextHops nextHops, RelayRule relay, Outbound out, ProxyMetrics metrics) {
        this.writer = writer;
        this.nextHops = nextHops;
        this.relay = relay;
        this.out = out;
        this.metrics = metrics;
    }

    /**
     * The ACK of a 2xx (even one that reuses the INVITE's branch, as RFC 2543 clients do) goes on by its Route set;
     * one that does not route through us is the end-to-end ACK of a response we answered ourselves, and ends here.
     */
    void forwardAck(ProxyContext c, SipMessage m, Inbound in, Via top) {
        RoutePlan plan = c.routes().plan(m);
        if (!plan.routedToUs() || m.maxForwards() == 0) {
            return;
        }
        LocalAddresses locals = c.locals();
        boolean sips = NextHops.isSips(plan.requestUri());
        Function<Destination, ByteBuf> build = dest -> {
            ListenPoint point = locals.sendingPoint(dest);
            ForwardEdits edits = new ForwardEdits(plan.newRequestUri(), locals.via(dest.transport(), point,
                    Branches.branch(m, top, 0)), List.of(), in.topVia(), plan.drop(), plan.appendRoute(), Map.of());
            return writer.forwardRequest(m, edits);
        };
        FlowRoutes.Hop flow = c.flows().route(m, plan);
        if (flow instanceof FlowRoutes.Over over) {
            if (sips && !over.destination().transport().secure()) {
                drop(m, in.source(), "sips: ACK not forwarded over " + over.destination().transport().viaName());
            } else {
                out.send(build.apply(over.destination()), over.destination(), m.callIdOrEmpty());
            }
            return;
        } else if (flow instanceof FlowRoutes.Refused refused) {
            drop(m, in.source(), "ACK not forwarded: " + refused.why()); // an ACK is never answered (§17.2.1)
            return;
        }
        nextHops.resolve(plan.nextHop(), sips, plan.leaveFrom(),
                dest -> relay.allows(m, plan, dest.address()) ? build.apply(dest) : null, (ack, dest) -> {
            if (ack == null) {
                // No response to an ACK (§17.2.1): refused means dropped, and counted.
                metrics.relayRefused();
                drop(m, in.source(), "ACK to " + plan.nextHop().text() + ", neither a farm node nor a signed dialog hop");
            } else {
                out.send(ack, dest, m.callIdOrEmpty());
            }
        }, reason -> log.debug("call {}: ACK not forwarded: {}", m.callIdOrEmpty(), reason));
    }

    /**
     * Sends a response upstream by its second Via (§18.2.2), without a transaction; where callers keep their port,
     * from the port the caller called, which the last of the router's Record-Route values in it names (the caller's
     * side of a double Record-Route).
     */
    void forwardResponse(LocalAddresses locals, SipMessage m) {
        List<ValueRange> vias = m.vias();
        if (vias.size() < 2) {
            drop(m, null, "response with only our Via");
            return;
        }
        Via next = Via.parse(m.text(vias.get(1)), vias.get(1).start() - m.base());
        Transport t = Transport.fromName(next.transport()).orElse(Transport.UDP);
        String host = next.received() != null ? SipUri.stripBrackets(next.received()) : next.hostAddress();
        int port = next.rport() > 0 ? next.rport() : next.port() < 0 ? 5060 : next.port();
        if (port < 1 || port > 65535) {
            drop(m, null, "second Via port " + port + " out of range");
            return;
        }
        ByteBuf response = writer.forwardResponse(m);
        String callId = m.callIdOrEmpty();
        ListenPoint from = t == Transport.UDP ? callersPort(locals, m) : null; // m is read here, never after the lookup
        nextHops.resolveHost(host, address -> {
            Destination dest;
            boolean built = false;
            try {
                dest = NextHops.destination(t, new InetSocketAddress(address, port), from);
                built = true;
            } finally {
                if (!built) {
                    response.release();
                }
            }
            out.send(response, dest, callId);
        }, reason -> {
                    response.release();
                    log.debug("call {}: response not forwarded: {}", callId, reason);
                });
    }

    /** The port for new calls the last of our Record-Route values in {@code m} names, or null (LocalAddresses). */
    private static ListenPoint callersPort(LocalAddresses locals, SipMessage m) {
        if (!locals.callersKeepTheirPort()) {
            return null;
        }
        SipUri lastOfOurs = null;
        for (ValueRange r : m.ranges(HeaderName.RECORD_ROUTE)) {
            try {
                SipUri u = NameAddr.parse(m.text(r), r.start() - m.base(), "Record-Route").sipUri();
                if (locals.isUs(u)) {
                    lastOfOurs = u;
                }
            } catch (SipParseException e) {
                return null; // a node's malformed Record-Route: sent from the router's own socket, as without this
            }
        }
        return lastOfOurs == null ? null : locals.portForNewCallsNamedBy(lastOfOurs);
    }

    private void drop(SipMessage m, InetSocketAddress source, String reason) {
        metrics.dropped();
        log.debug("call {}: dropped {} from {}: {}", m.callIdOrEmpty(),
                m.isRequest() ? m.method() : String.valueOf(m.statusCode()), source, reason);
    }
}
