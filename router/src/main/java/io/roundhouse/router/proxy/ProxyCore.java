package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.overload.OverloadGuard;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.sip.Via;
import io.roundhouse.router.transaction.ClientTransaction;
import io.roundhouse.router.transaction.InviteServerTransaction;
import io.roundhouse.router.transaction.NonInviteClientTransaction;
import io.roundhouse.router.transaction.NonInviteServerTransaction;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.ServerTransaction;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.InboundHandler;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy core (RFC 3261 §16): validates each request (§16.3), answers what is addressed to the router, runs Route
 * pre-processing (§16.4), and hands new calls to the {@link Dispatcher} and in-dialog requests to their Route set,
 * each inside a server transaction with a {@link ProxyCall} response context. Responses are matched to client
 * transactions, or (2xx retransmissions, §16.7) forwarded by their Via.
 *
 * <p>Runs on one event loop; nothing a peer sends may throw out of {@link #onMessage}.
 */
public final class ProxyCore implements InboundHandler {

    private static final Logger log = LoggerFactory.getLogger(ProxyCore.class);
    static final String ALLOW = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY, SUBSCRIBE,"
            + " MESSAGE, PRACK";
    static final String SERVER = "Roundhouse";
    /** Name lookups that may wait for the resolver thread; beyond that a request is answered 503. */
    public static final int RESOLVER_QUEUE = 1024;
    /** Longest Warning text the router writes: enough to name a defect, too short to echo a whole header back. */
    static final int WARNING_TEXT_MAX = 200;

    final EventLoop loop;
    final TransactionTable table;
    final RouterConfig config;
    final Dispatcher dispatcher;
    final ProxyMetrics metrics;
    final SipScheduler scheduler;
    final MessageWriter writer;
    final MessageSender sender;
    final RelayRule relay;
    private final OverloadGuard overload;
    /** Legs the router ended itself, by their INVITE's branch: a 2xx retransmission gets the ACK again (64*T1). */
    private final Map<String, EndedLeg> endedLegs = new HashMap<>();
    /** Proxied requests waiting for their final response (event loop only; read racily by a gauge). */
    private int callsInProgress;
    private final RequestValidator validator = new RequestValidator();
    final NextHops nextHops;
    /** Read from the config once: the router sends its own 503s when it is busiest; null with sip.retry-after 0s. */
    private final String retryAfterHeader;
    /** Set once by {@link #stopTakingCalls()}; read per request. */
    private volatile boolean stopping;
    private volatile LocalAddresses locals;
    private volatile RoutePlanner routes;
    private volatile OptionsClient options;
    private volatile boolean closed;

    public ProxyCore(EventLoop loop, TransactionTable table, RouterConfig config, Dispatcher dispatcher,
                     ProxyMetrics metrics, SipScheduler scheduler, MessageSender sender, Executor resolverExecutor,
                     RouteSigner signer, OverloadGuard overload) {
        this.loop = loop;
        this.table = table;
        this.config = config;
        this.retryAfterHeader = config.retryAfter().isZero() ? null
                : "Retry-After: " + config.retryAfter().toSeconds();
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.sender = sender;
        this.nextHops = new NextHops(loop, resolverExecutor);
        this.relay = new RelayRule(signer, this::isFromNode);
        this.overload = overload;
        this.writer = new MessageWriter(io.netty.buffer.PooledByteBufAllocator.DEFAULT, SERVER);
    }

    /** Starts serving once the sockets are bound (until then messages are dropped). */
    public void start(LocalAddresses addresses) {
        this.routes = new RoutePlanner(addresses);
        this.options = new OptionsClient(loop, table, nextHops, addresses, metrics);
        this.locals = addresses;
    }

    public void close() {
        closed = true;
        nextHops.close();
    }

    /**
     * A node went down (health, on any thread): every call whose pending branch is on it is failed over now, on the
     * event loop, instead of waiting for Timer C or the failover timeout ({@link ProxyCall#nodeDown}).
     */
    public void nodeDown(String nodeId) {
        if (closed) {
            return;
        }
        loop.execute(() -> {
            int given = 0;
            for (Object owner : table.serverOwners()) {
                if (owner instanceof ProxyCall call && call.nodeDown(nodeId)) {
                    given++;
                }
            }
            if (given > 0) { // one line per node-down, not one per call
                log.info("node {} went down: {} calls ringing there cancelled and failed over", nodeId, given);
            }
        });
    }

    LocalAddresses locals() {
        return locals;
    }

    RoutePlanner routes() {
        return routes;
    }

    // ---- inbound ---------------------------------------------------------------------------------------------------

    @Override
    public void onFramingError(Transport transport, InetSocketAddress source, String reason) {
        metrics.dropped();
        log.debug("dropped {} message from {}: {}", transport.lowerName(), source, reason);
    }

    /**
     * A datagram over {@code sip.max-message-size}: a request whose head names a readable top Via is answered 513
     * (RFC 3261 §21.5.14) without a transaction, anything else dropped. No amplification: the answer is a few hundred
     * bytes and the request was longer than the limit (1,024 bytes at least), and a source blocked for flooding never
     * gets here (the transport drops its datagrams first).
     */
    @Override
    public void onOversized(ByteBuf head, Transport transport, InetSocketAddress source, Channel connection) {
        metrics.dropped();
        if (locals == null || closed) {
            return;
        }
        try {
            SipMessage m = SipParser.parse(head, true);
            if (!m.isRequest() || m.isMethod("ACK")) {
                log.debug("dropped oversized {} from {}", m.isRequest() ? "ACK" : "response", source);
                return;
            }
            Via top = m.topVia();
            String topVia = top.withSource(NetUtil.toAddressString(source.getAddress()), source.getPort());
            Destination back = responseDestination(transport, source, connection, top);
            metrics.localResponse(513);
            log.debug("call {}: oversized {} from {} answered 513", m.callIdOrEmpty(), m.method(), source);
            send(writer.response(m, topVia, 513, "Message Too Large", newTag(), List.of()), back, m.callIdOrEmpty());
        } catch (RuntimeException e) {
            // SipParseException included: a head cut inside its headers cannot be answered.
            log.debug("dropped oversized message from {}: {}", source, e.toString());
        }
    }

    /** From now on, out-of-dialog requests are answered 503 with Retry-After (graceful shutdown). */
    public void stopTakingCalls() {
        stopping = true;
    }

    @Override
    public void onMessage(ByteBuf frame, Transport transport, InetSocketAddress source, Channel connection) {
        if (locals == null || closed) {
            metrics.dropped();
            return;
        }
        if (SipParser.isKeepAlive(frame)) {
            return;
        }
        metrics.in();
        SipMessage m;
        try {
            m = SipParser.parse(frame, transport == Transport.UDP);
        } catch (SipParseException e) {
            metrics.dropped();
            log.debug("dropped unparseable {} message from {}: {} at offset {}", transport.lowerName(), source,
                    e.reason(), e.offset());
            return;
        }
        try {
            if (m.isRequest()) {
                onRequest(m, transport, source, connection);
            } else {
                onResponse(m);
            }
        } catch (SipParseException e) {
            metrics.dropped();
            log.debug("call {}: dropped message from {}: {}", m.callIdOrEmpty(), source, e.reason());
        } catch (RuntimeException e) {
            metrics.dropped();
            metrics.internalError();
            long errors = metrics.internalErrors();
            // A peer can trigger this at will: one line, and only at the 1st, 2nd, 4th, 8th... occurrence, so that
            // a flood neither fills the log nor blocks the event loop; the stack trace is at DEBUG.
            if (Long.bitCount(errors) == 1) {
                log.warn("call {}: internal error on a message from {} ({} so far): {}", m.callIdOrEmpty(), source,
                        errors, e.toString());
            }
            log.debug("call {}: internal error on a message from {}", m.callIdOrEmpty(), source, e);
        }
    }

    private void onRequest(SipMessage m, Transport transport, InetSocketAddress source, Channel connection) {
        RequestValidator.Verdict verdict = validator.validate(m);
        if (verdict instanceof RequestValidator.Drop d) {
            drop(m, source, d.reason());
            return;
        }
        Via top = m.topViaOrNull();
        if (top == null) {
            // A Via that is there but malformed (e.g. rport 70000): the packet's source still gets its 400.
            Destination back = new Destination(transport, source, transport.reliable() ? connection : null);
            reject(m, new Inbound(transport, source, connection, null, back), (RequestValidator.Reject) verdict);
            return;
        }
        String ip = NetUtil.toAddressString(source.getAddress());
        String topVia = top.withSource(ip, source.getPort());
        Inbound in = new Inbound(transport, source, connection, topVia, responseDestination(transport, source,
                connection, top));
        if (transport.reliable()) {
            sender.alias(new InetSocketAddress(source.getAddress(), top.port() < 0 ? 5060 : top.port()), connection);
        }
        if (verdict instanceof RequestValidator.Reject r) {
            reject(m, in, r);
            return;
        }
        boolean ack = m.isMethod("ACK");
        if (ack) {
            onAck(m, in, top);
            return;
        }
        ServerTransaction existing = table.server(ServerKey.of(m));
        if (existing != null) {
            existing.onRetransmission();
            return;
        }
        if (m.isMethod("CANCEL")) {
            onCancel(m, in);
            return;
        }
        // §16.3 item 3
        if (m.maxForwards() == 0) {
            respondStateful(m, in, 483, "Too Many Hops", List.of());
            return;
        }
        // §16.3 item 4
        if (isLoop(m)) {
            respondStateful(m, in, 482, "Loop Detected", List.of());
            return;
        }
        // Shutting down (SIGTERM): a new request goes to another router (503 with Retry-After, §21.5.4); dialogs and
        // transactions in progress go on until the router stops.
        if (stopping && m.toTagOrNull() == null) {
            respondStateful(m, in, 503, "Service Unavailable", List.of(warning("router shutting down")));
            return;
        }
        RoutePlan plan = routes.plan(m);
        boolean inDialog = m.toTagOrNull() != null;
        if (!plan.hasRoute() && locals.isUs(plan.requestUri())) {
            if (m.isMethod("OPTIONS") && plan.requestUri().user().isEmpty()) {
                // OPTIONS addressed to the router itself (§11.2): it answers for itself.
                respondStateful(m, in, 200, "OK", List.of(ALLOW, "Accept: application/sdp",
                        "Supported: path, outbound"));
                return;
            }
            if (inDialog) {
                respondStateful(m, in, 404, "Not Found", List.of(warning("in-dialog request addressed to the"
                        + " router itself without a Route")));
                return;
            }
        }
        if (inDialog && !plan.routedToUs()) {
            // Not an open relay: only a request routed through us (our Route, or strict routing to our Request-URI)
            // follows its Route set or Request-URI; an in-dialog request that bypassed our Record-Route is refused.
            metrics.relayRefused();
            respondStateful(m, in, 403, "Forbidden", List.of(warning("in-dialog request without the router's Route"
                    + " is not relayed")));
            return;
        }
        boolean routed = plan.routedToUs() && (plan.hasRoute() || inDialog);
        if (routed && !plan.nextHop().isSip()) {
            respondStateful(m, in, 416, "Unsupported URI Scheme", List.of());
            return;
        }
        if (!routed && !overload.admitsNewCall(callsInProgress)) {
            shed(m, in);
            return;
        }
        ProxyCall call = ProxyCall.create(this, m, in);
        if (call == null) {
            return;
        }
        if (!routed) {
            call.dispatch(); // also an out-of-dialog request with a foreign Route only: the farm, never that host
        } else {
            call.forwardInDialog();
        }
    }

    /**
     * Overload: a new request for the farm is answered 503 with Retry-After at once, statelessly (a retransmission
     * gets another 503; no transaction or timer is spent on it), so that the calls already admitted keep the loop.
     */
    private void shed(SipMessage m, Inbound in) {
        metrics.shed();
        metrics.localResponse(503);
        send(writer.response(m, in.topVia(), 503, "Service Unavailable", newTag(), withRetryAfter(503,
                List.of(warning("overloaded")))), in.responseDestination(), m.callIdOrEmpty());
    }

    void callStarted() {
        callsInProgress++;
    }

    void callEnded() {
        callsInProgress--;
    }

    /** Proxied requests waiting for their final response. */
    public int callsInProgress() {
        return callsInProgress;
    }

    /** §16.3 item 4: a Via of ours whose branch hash equals the hash of this request as we would compute it. */
    private boolean isLoop(SipMessage m) {
        List<ValueRange> vias = m.vias();
        for (int i = 0; i + 1 < vias.size(); i++) {
            Via via;
            Via below;
            try {
                via = Via.parse(m.text(vias.get(i)), 0);
                if (!locals.isOurVia(via)) {
                    continue;
                }
                String hash = Branches.hashOf(via.branch());
                if (hash == null) {
                    continue;
                }
                below = Via.parse(m.text(vias.get(i + 1)), 0);
                if (hash.equals(Branches.loopHash(m, below))) {
                    return true;
                }
            } catch (SipParseException e) {
                return false; // a deeper Via we cannot read is not ours to judge
            }
        }
        return false;
    }

    /** ACK: absorbed by its INVITE server transaction (non-2xx), else forwarded statelessly by its Route (2xx). */
    private void onAck(SipMessage m, Inbound in, Via top) {
        ServerTransaction st = table.server(ServerKey.ofInvite(m));
        if (st instanceof InviteServerTransaction ist
                && ist.state() != InviteServerTransaction.State.ACCEPTED) {
            ist.onAck();
            return;
        }
        // Otherwise the ACK of a 2xx (even one that reuses the INVITE's branch, as RFC 2543 clients do) goes on.
        RoutePlan plan = routes.plan(m);
        if (!plan.routedToUs() || m.maxForwards() == 0) {
            // An ACK that does not route through us is the end-to-end ACK of a response we answered ourselves.
            return;
        }
        nextHops.resolve(plan.nextHop(), dest -> {
            if (!relay.allows(m, plan, dest.address())) {
                return null;
            }
            ListenPoint point = locals.pointFor(dest.transport(), dest.address());
            ForwardEdits edits = new ForwardEdits(plan.newRequestUri(), locals.via(dest.transport(), point,
                    Branches.branch(m, top, 0)), List.of(), in.topVia(), plan.drop(), plan.appendRoute(), Map.of());
            return writer.forwardRequest(m, edits);
        }, (out, dest) -> {
            if (out == null) {
                // No response to an ACK (§17.2.1): refused means dropped, and counted.
                metrics.relayRefused();
                drop(m, in.source(), "ACK to " + plan.nextHop().text() + ", neither a farm node nor a signed dialog hop");
            } else {
                send(out, dest, m.callIdOrEmpty());
            }
        }, reason -> log.debug("call {}: ACK not forwarded: {}", m.callIdOrEmpty(), reason));
    }

    private void onCancel(SipMessage m, Inbound in) {
        ServerTransaction inviteTx = table.server(ServerKey.ofInvite(m));
        ServerTransaction st = new NonInviteServerTransaction(table, ServerKey.of(m), in.responseDestination(),
                m.callIdOrEmpty());
        if (inviteTx == null) {
            // §16.10 asks to forward an unmatched CANCEL statelessly; without a call there is no node to send it to.
            respond(m, in, st, 481, "Call/Transaction Does Not Exist", List.of());
            return;
        }
        // §9.2: a CANCEL matching a transaction gets 200, even when the INVITE already has its final response.
        respond(m, in, st, 200, "OK", List.of());
        if (inviteTx.owner() instanceof ProxyCall call) {
            call.cancel();
        }
    }

    // ---- responses -------------------------------------------------------------------------------------------------

    private void onResponse(SipMessage m) {
        if (m.defect() != null) {
            drop(m, null, m.defect().reason());
            return;
        }
        Via top = m.topVia();
        // §18.1.2: a response whose top Via is not ours is discarded.
        if (!locals.isOurVia(top) || top.branch() == null || !top.branch().startsWith(Branches.PREFIX)) {
            drop(m, null, "response with a top Via that is not ours");
            return;
        }
        ClientTransaction ct = table.client(top.branch(), m.cseq().method());
        if (ct != null) {
            ct.onResponse(m);
            return;
        }
        if (m.statusCode() >= 200 && m.statusCode() < 300 && m.cseq().method().equals("INVITE")) {
            EndedLeg ended = endedLegs.get(top.branch());
            if (ended != null) {
                // A retransmission of a 2xx the router acknowledged and hung up itself: ACK again, never upstream.
                send(Unpooled.wrappedBuffer(ended.ack()), ended.destination(), m.callIdOrEmpty());
                return;
            }
            forwardResponseStateless(m); // §16.7 item 5 / §16.11: 2xx retransmissions go upstream
            return;
        }
        log.debug("call {}: stray {} response to {} absorbed", m.callIdOrEmpty(), m.statusCode(), m.cseq().method());
    }

    private record EndedLeg(byte[] ack, Destination destination) {
    }

    /**
     * A 2xx that nobody will take (its branch was given up and the caller already has its final response): ACK it,
     * then BYE it, as §13.2.2.4 asks of a UAC with an unwanted 2xx, instead of forwarding it ({@link UnwantedAnswer}).
     */
    void endUnwantedAnswer(SipMessage ok) {
        String inviteBranch = ok.topVia().branch();
        String callId = ok.callIdOrEmpty();
        if (endedLegs.containsKey(inviteBranch)) {
            EndedLeg ended = endedLegs.get(inviteBranch);
            send(Unpooled.wrappedBuffer(ended.ack()), ended.destination(), callId);
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
                    endedLegs.put(inviteBranch, new EndedLeg(ByteBufUtil.getBytes(ack), dest));
                    scheduler.schedule(() -> endedLegs.remove(inviteBranch), config.timers().sixtyFourT1());
                    send(ack, dest, callId);
                    String byeBranch = UnwantedAnswer.branch("b");
                    ByteBuf bye = leg.request(true, locals.via(dest.transport(), locals.pointFor(dest.transport(),
                            dest.address()), byeBranch));
                    NonInviteClientTransaction tx = new NonInviteClientTransaction(table, byeBranch, "BYE", bye, dest,
                            ProxyCall.IgnoreResponses.INSTANCE);
                    metrics.out();
                    tx.start();
                    log.debug("call {}: 2xx from {} after the call went elsewhere: acknowledged and hung up", callId,
                            dest);
                }, reason -> log.debug("call {}: cannot end an unwanted 2xx: {}", callId, reason));
    }

    /** Sends a response upstream by its second Via (§18.2.2), without a transaction. */
    void forwardResponseStateless(SipMessage m) {
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
        ByteBuf out = writer.forwardResponse(m);
        String callId = m.callIdOrEmpty();
        nextHops.resolveHost(host, address -> {
            Destination dest;
            boolean built = false;
            try {
                dest = Destination.of(t, new InetSocketAddress(address, port));
                built = true;
            } finally {
                if (!built) {
                    out.release();
                }
            }
            send(out, dest, callId);
        }, reason -> {
                    out.release();
                    log.debug("call {}: response not forwarded: {}", callId, reason);
                });
    }

    // ---- helpers shared with ProxyCall ----------------------------------------------------------------------------

    private Destination responseDestination(Transport transport, InetSocketAddress source, Channel connection,
                                            Via top) {
        if (transport.reliable()) {
            // §18.2.2: on the connection the request came on; if it has closed, a new one to received:sent-by port.
            Channel live = connection;
            int port = top.port() < 0 ? 5060 : top.port();
            return new Destination(transport, new InetSocketAddress(source.getAddress(), port), live);
        }
        // §18.2.2 and RFC 3581 §4: to the source address, at rport when the client asked for it, else the sent-by port.
        int port = top.rport() >= 0 ? source.getPort() : top.port() < 0 ? 5060 : top.port();
        return Destination.of(transport, new InetSocketAddress(source.getAddress(), port));
    }

    /** {@link Dispatcher#isFromNode}, where a failing dispatcher means "not a node" (nothing is relayed to it). */
    boolean isFromNode(InetSocketAddress source) {
        try {
            return dispatcher.isFromNode(source);
        } catch (RuntimeException e) {
            log.warn("dispatcher failed on isFromNode({}): {}", source, e.toString());
            return false;
        }
    }

    void send(ByteBuf message, Destination destination, String callId) {
        metrics.out();
        sender.send(message, destination, e -> log.debug("call {}: send to {} failed: {}", callId, destination,
                e.toString()));
    }

    /** A server transaction answering {@code m} locally with {@code status}. */
    void respondStateful(SipMessage m, Inbound in, int status, String reason, List<String> extra) {
        ServerTransaction st = m.isMethod("INVITE")
                ? new InviteServerTransaction(table, ServerKey.of(m), in.responseDestination(), m.callIdOrEmpty())
                : new NonInviteServerTransaction(table, ServerKey.of(m), in.responseDestination(), m.callIdOrEmpty());
        respond(m, in, st, status, reason, extra);
    }

    void respond(SipMessage m, Inbound in, ServerTransaction st, int status, String reason, List<String> extra) {
        extra = withRetryAfter(status, extra);
        metrics.out();
        metrics.localResponse(status);
        st.sendResponse(status, writer.response(m, in.topVia(), status, reason, newTag(), extra));
        log.debug("call {}: {} answered {} {} by the router", m.callIdOrEmpty(), m.method(), status, reason);
    }

    /** A {@link RequestValidator} refusal, without a transaction: the request may not even be matchable (§16.3). */
    private void reject(SipMessage m, Inbound in, RequestValidator.Reject r) {
        if (r.status() == 400 || r.status() == 505) {
            metrics.badRequest();
        }
        metrics.localResponse(r.status());
        log.debug("call {}: {} from {} answered {}: {}", m.callIdOrEmpty(), m.method(), in.source(), r.status(),
                r.detail());
        List<String> headers = new ArrayList<>(r.headers().size() + 1);
        headers.addAll(r.headers());
        headers.add(warning(r.detail()));
        send(writer.response(m, in.topVia(), r.status(), r.phrase(), newTag(), headers), in.responseDestination(),
                m.callIdOrEmpty());
    }

    private void drop(SipMessage m, InetSocketAddress source, String reason) {
        metrics.dropped();
        log.debug("call {}: dropped {} from {}: {}", m.callIdOrEmpty(),
                m.isRequest() ? m.method() : String.valueOf(m.statusCode()), source, reason);
    }

    /** What a call that no service takes is answered ({@code sip.no-service-status}, default 404). */
    int noServiceStatus() {
        return config.sip().noServiceStatus();
    }

    /** The reason phrase the router writes with a status it chose by configuration (RFC 3261 §21). */
    static String reasonPhrase(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 410 -> "Gone";
            case 480 -> "Temporarily Unavailable";
            case 484 -> "Address Incomplete";
            case 488 -> "Not Acceptable Here";
            case 500 -> "Server Internal Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 603 -> "Decline";
            case 604 -> "Does Not Exist Anywhere";
            default -> "No Service";
        };
    }

    /** Every 503 of the router's own says when to come back (RFC 3261 §21.5.4, {@code sip.retry-after}). */
    List<String> withRetryAfter(int status, List<String> extra) {
        if (status != 503 || retryAfterHeader == null) {
            return extra; // sip.retry-after: 0s sends none
        }
        List<String> all = new ArrayList<>(extra.size() + 1);
        all.add(retryAfterHeader);
        all.addAll(extra);
        return all;
    }

    /**
     * A Warning header (RFC 3261 §20.43, code 399: miscellaneous) naming the defect. The text may quote what the peer
     * sent: control characters become '?' and the text is cut at {@value #WARNING_TEXT_MAX} characters, so that the
     * router's own response is well-formed whatever the request held (RFC 4475 §3.1.2).
     */
    String warning(String text) {
        String host = locals.hostPort(locals.points().get(0));
        int n = Math.min(text.length(), WARNING_TEXT_MAX);
        StringBuilder sb = new StringBuilder(n + host.length() + 20).append("Warning: 399 ").append(host).append(" \"");
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < ' ' || c == 0x7f) {
                sb.append('?');
            } else {
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
        return sb.append(n < text.length() ? "...\"" : "\"").toString();
    }

    static String newTag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | 0x1000000000000000L);
    }

    // ---- UAC: OPTIONS for health probing ---------------------------------------------------------------------------

    /** {@link OptionsClient#send}: the router must have started. */
    public CompletionStage<Integer> sendOptions(String targetUri) {
        OptionsClient client = options;
        if (client == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("router not started"));
        }
        return client.send(targetUri);
    }
}
