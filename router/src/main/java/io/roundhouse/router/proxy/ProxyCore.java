package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.overload.OverloadGuard;
import io.roundhouse.router.overload.RecentlyShed;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.sip.Via;
import io.roundhouse.router.transaction.ClientTransaction;
import io.roundhouse.router.transaction.InviteServerTransaction;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.ServerTransaction;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.AtTheDoor;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.InboundHandler;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy core (RFC 3261 §16): sheds new INVITEs at the door when overloaded ({@link NewCallShedding}, before
 * anything else is spent on them), validates each request (§16.3), answers what is addressed to the router, runs Route
 * pre-processing (§16.4), and hands new calls to the {@link Dispatcher} and in-dialog requests to their Route set,
 * each inside a server transaction with a {@link ProxyCall} response context. Responses are matched to client
 * transactions; the ACK of a 2xx and the responses no transaction matches (2xx retransmissions, §16.7) go to
 * {@link StatelessForwarding}.
 *
 * <p>Runs on one event loop, but for the door's calls ({@link #atTheDoor}, {@link #shedding}, {@link #heldTooLong}) on
 * the door's thread, which touch only the door's {@link NewCallShedding}, the guard and counters; nothing a peer sends
 * may throw out of {@link #onMessage}.
 */
public final class ProxyCore implements InboundHandler {

    private static final Logger log = LoggerFactory.getLogger(ProxyCore.class);
    static final String SERVER = "Roundhouse";
    /** Name lookups that may wait for the resolver thread; beyond that a request is answered 503. */
    public static final int RESOLVER_QUEUE = 1024;

    private final EventLoop loop;
    private final TransactionTable table;
    private final RouterConfig config;
    private final Dispatcher dispatcher;
    private final ProxyMetrics metrics;
    private final SipScheduler scheduler;
    private final MessageWriter writer;
    private final MessageSender sender;
    private final Outbound out;
    private final RelayRule relay;
    private final OverloadGuard overload;
    private final CallsInProgress calls = new CallsInProgress();
    private final RequestValidator validator = new RequestValidator();
    private final NextHops nextHops;
    private final StatelessForwarding forwarding;
    private final RecentlyShed recentlyShed;
    /** Set by {@link #start} before {@link #ctx}, which publishes them. */
    private NewCallShedding shedding;
    /** The door's ({@link #atTheDoor}), used on the door's thread only. */
    private NewCallShedding doorShedding;
    /** Set once by {@link #stopTakingCalls()}; read per request. */
    private volatile boolean stopping;
    /** Set by {@link #start}: until then messages are dropped. */
    private volatile ProxyContext ctx;
    private volatile OptionsClient options;
    private volatile boolean closed;

    public ProxyCore(EventLoop loop, TransactionTable table, RouterConfig config, Dispatcher dispatcher,
                     ProxyMetrics metrics, SipScheduler scheduler, MessageSender sender, Executor resolverExecutor,
                     RouteSigner signer, OverloadGuard overload) {
        this.loop = loop;
        this.table = table;
        this.config = config;
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.sender = sender;
        this.out = new Outbound(sender, metrics);
        this.nextHops = new NextHops(loop, resolverExecutor);
        this.relay = new RelayRule(signer, this::isFromNode);
        this.overload = overload;
        this.writer = new MessageWriter(io.netty.buffer.PooledByteBufAllocator.DEFAULT, SERVER);
        this.forwarding = new StatelessForwarding(writer, nextHops, relay, out, metrics);
        // A caller retransmits an INVITE until Timer B, 64*T1 (§17.1.1.2): a shed one is remembered that long at most.
        this.recentlyShed = new RecentlyShed(config.timers().sixtyFourT1(), RecentlyShed.DEFAULT_CAPACITY,
                scheduler::nanoTime);
    }

    /** Starts serving once the sockets are bound (until then messages are dropped). */
    public void start(LocalAddresses addresses) {
        EndedLegs ended = new EndedLegs(addresses, nextHops, table, scheduler, config.timers().sixtyFourT1(), metrics,
                out);
        LocalResponses responses = new LocalResponses(writer, metrics, table, addresses, config.retryAfter());
        this.options = new OptionsClient(loop, table, nextHops, addresses, metrics);
        ByteBufAllocator alloc = io.netty.buffer.PooledByteBufAllocator.DEFAULT;
        this.shedding = NewCallShedding.onTheLoop(overload, recentlyShed, table, metrics, alloc, SERVER,
                responses.shedHeaders());
        // Allocated at the first INVITE the door sees, not before: a router without a door never fills them.
        Duration keep = config.timers().sixtyFourT1();
        this.doorShedding = NewCallShedding.atTheDoor(overload,
                new RecentlyShed(keep, RecentlyShed.DEFAULT_CAPACITY, scheduler::nanoTime),
                new RecentlyShed(keep, RecentlyShed.DEFAULT_CAPACITY, scheduler::nanoTime), metrics, alloc, SERVER,
                responses.shedHeaders());
        this.ctx = new ProxyContext(loop, scheduler, config.timers(), table, dispatcher, metrics, writer, responses,
                nextHops, relay, addresses, new RoutePlanner(addresses), ended, calls, config.recordRoute(),
                config.sip().noServiceStatus(), new FlowRoutes(sender, relay.signer()), overload);
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
        ProxyContext c = ctx;
        if (c == null || closed) {
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
            log.debug("call {}: oversized {} from {} answered 513", m.callIdOrEmpty(), m.method(), source);
            out.send(c.responses().build(m, topVia, 513, "Message Too Large", LocalResponses.statelessTag(),
                    List.of()),
                    back, m.callIdOrEmpty());
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
        received(frame, transport, source, connection, false);
    }

    /**
     * On the door's thread (a port for new calls read by a thread of its own): frames the datagram and lets
     * {@link NewCallShedding} answer a new INVITE 503 there, or admit it, without the event loop. Anything else, and
     * anything that does not frame, goes to the loop, which counts and answers it as it would have.
     */
    @Override
    public AtTheDoor atTheDoor(ByteBuf datagram, InetSocketAddress source, Channel port, MessageSender doorSender) {
        if (ctx == null || closed || SipParser.isKeepAlive(datagram)) {
            return AtTheDoor.PASSED;
        }
        try {
            SipMessage m = SipParser.parse(datagram, true);
            if (!m.isRequest()) {
                return AtTheDoor.PASSED;
            }
            AtTheDoor verdict = doorShedding.atTheDoor(m, Transport.UDP, source, port, calls.count(), stopping,
                    doorSender);
            if (verdict == AtTheDoor.DONE) {
                metrics.in();
            }
            return verdict;
        } catch (RuntimeException e) {
            return AtTheDoor.PASSED; // the loop's normal path drops or answers it, and counts it
        }
    }

    @Override
    public boolean shedding() {
        return overload.shedding(calls.count());
    }

    @Override
    public void heldTooLong(ByteBuf datagram, InetSocketAddress source, Channel port, MessageSender doorSender) {
        try {
            doorShedding.heldTooLong(SipParser.parse(datagram, true), Transport.UDP, source, port, doorSender);
        } catch (RuntimeException e) {
            metrics.dropped(); // it framed and passed the door once: not expected
        }
    }

    @Override
    public void onAdmittedCall(ByteBuf datagram, InetSocketAddress source, Channel port) {
        received(datagram, Transport.UDP, source, port, true);
    }

    /** {@code admittedAtTheDoor}: a new INVITE the door's {@link NewCallShedding} already admitted. */
    private void received(ByteBuf frame, Transport transport, InetSocketAddress source, Channel connection,
                          boolean admittedAtTheDoor) {
        ProxyContext c = ctx;
        if (c == null || closed) {
            metrics.dropped();
            return;
        }
        if (SipParser.isKeepAlive(frame)) {
            return;
        }
        metrics.in();
        SipMessage m;
        try {
            m = SipParser.parse(frame, transport.delimitsMessages());
        } catch (SipParseException e) {
            metrics.dropped();
            log.debug("dropped unparseable {} message from {}: {} at offset {}", transport.lowerName(), source,
                    e.reason(), e.offset());
            return;
        }
        try {
            if (m.isRequest()) {
                AtTheDoor early = admittedAtTheDoor ? AtTheDoor.ADMITTED
                        : shedding.atTheDoor(m, transport, source, connection, calls.count(), stopping, sender);
                if (early != AtTheDoor.DONE) {
                    onRequest(c, m, transport, source, connection, early == AtTheDoor.ADMITTED);
                }
            } else {
                onResponse(c, m);
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

    /** {@code admitted}: a new call the overload guard already admitted ({@link NewCallShedding}). */
    private void onRequest(ProxyContext c, SipMessage m, Transport transport, InetSocketAddress source,
                           Channel connection, boolean admitted) {
        RequestValidator.Verdict verdict = validator.validate(m);
        if (verdict instanceof RequestValidator.Drop d) {
            drop(m, source, d.reason());
            return;
        }
        LocalResponses responses = c.responses();
        Via top = m.topViaOrNull();
        if (top == null) {
            // A Via that is there but malformed (e.g. rport 70000): the packet's source still gets its 400.
            Destination back = new Destination(transport, source, connection);
            reject(c, m, new Inbound(transport, source, connection, null, back), (RequestValidator.Reject) verdict);
            return;
        }
        String topVia = responseVia(transport, source, top);
        Inbound in = new Inbound(transport, source, connection, topVia, responseDestination(transport, source,
                connection, top));
        if (transport.reliable()) {
            sender.alias(new InetSocketAddress(source.getAddress(), top.port() < 0 ? 5060 : top.port()), connection);
        }
        if (verdict instanceof RequestValidator.Reject r) {
            reject(c, m, in, r);
            return;
        }
        boolean ack = m.isMethod("ACK");
        if (ack) {
            onAck(c, m, in, top);
            return;
        }
        if (table.retransmission(ServerKey.of(m))) {
            return;
        }
        if (m.isMethod("CANCEL")) {
            CancelProcessing.onCancel(c, m, in);
            return;
        }
        // §16.3 item 3
        if (m.maxForwards() == 0) {
            responses.respondStateful(m, in, 483, "Too Many Hops", List.of());
            return;
        }
        // §16.3 item 4
        if (isLoop(c.locals(), m)) {
            responses.respondStateful(m, in, 482, "Loop Detected", List.of());
            return;
        }
        // Shutting down (SIGTERM): a new request goes to another router (503 with Retry-After, §21.5.4); dialogs and
        // transactions in progress go on until the router stops.
        if (stopping && m.toTagOrNull() == null) {
            responses.respondStateful(m, in, 503, "Service Unavailable",
                    List.of(responses.warning("router shutting down")));
            return;
        }
        RoutePlan plan = c.routes().plan(m);
        boolean inDialog = m.toTagOrNull() != null;
        if (!plan.hasRoute() && c.locals().isUs(plan.requestUri())) {
            if (m.isMethod("OPTIONS") && plan.requestUri().user().isEmpty()) {
                // OPTIONS addressed to the router itself (§11.2): it answers for itself.
                responses.respondStateful(m, in, 200, "OK", List.of(LocalResponses.ALLOW, "Accept: application/sdp",
                        "Supported: path, outbound"));
                return;
            }
            if (inDialog) {
                responses.respondStateful(m, in, 404, "Not Found", List.of(responses.warning("in-dialog request"
                        + " addressed to the router itself without a Route")));
                return;
            }
        }
        if (inDialog && !plan.routedToUs()) {
            // Not an open relay: only a request routed through us (our Route, or strict routing to our Request-URI)
            // follows its Route set or Request-URI; an in-dialog request that bypassed our Record-Route is refused.
            metrics.relayRefused();
            responses.respondStateful(m, in, 403, "Forbidden", List.of(responses.warning("in-dialog request without"
                    + " the router's Route is not relayed")));
            return;
        }
        boolean routed = plan.routedToUs() && (plan.hasRoute() || inDialog);
        if (routed && !plan.nextHop().isSip()) {
            responses.respondStateful(m, in, 416, "Unsupported URI Scheme", List.of());
            return;
        }
        if (!routed && !admitted && !overload.admitsNewCall(calls.count())) {
            shed(c, m, in);
            return;
        }
        ProxyCall call = ProxyCall.create(c, m, in);
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
    private void shed(ProxyContext c, SipMessage m, Inbound in) {
        metrics.shed();
        LocalResponses responses = c.responses();
        out.send(responses.build(m, in.topVia(), 503, "Service Unavailable", LocalResponses.statelessTag(),
                List.of(responses.warning(LocalResponses.SHED_WARNING))), in.responseDestination(), m.callIdOrEmpty());
    }

    /** Proxied requests waiting for their final response. */
    public int callsInProgress() {
        return calls.count();
    }

    /** §16.3 item 4: a Via of ours whose branch hash equals the hash of this request as we would compute it. */
    private static boolean isLoop(LocalAddresses locals, SipMessage m) {
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

    /** ACK: absorbed by its INVITE server transaction (non-2xx), else {@link StatelessForwarding} (2xx, §16.11). */
    private void onAck(ProxyContext c, SipMessage m, Inbound in, Via top) {
        ServerTransaction st = table.server(ServerKey.ofInvite(m));
        if (st instanceof InviteServerTransaction ist
                && ist.state() != InviteServerTransaction.State.ACCEPTED) {
            ist.onAck();
            return;
        }
        forwarding.forwardAck(c, m, in, top); // the ACK of a 2xx
    }

    // ---- responses -------------------------------------------------------------------------------------------------

    private void onResponse(ProxyContext c, SipMessage m) {
        if (m.defect() != null) {
            drop(m, null, m.defect().reason());
            return;
        }
        Via top = m.topVia();
        // §18.1.2: a response whose top Via is not ours is discarded.
        if (!c.locals().isOurVia(top) || top.branch() == null || !top.branch().startsWith(Branches.PREFIX)) {
            drop(m, null, "response with a top Via that is not ours");
            return;
        }
        ClientTransaction ct = table.client(top.branch(), m.cseq().method());
        if (ct != null) {
            ct.onResponse(m);
            return;
        }
        if (m.statusCode() >= 200 && m.statusCode() < 300 && m.cseq().method().equals("INVITE")) {
            // A retransmission of a 2xx the router acknowledged and hung up itself: ACK again, never upstream.
            if (!c.endedLegs().acknowledgeAgain(m, top.branch())) {
                forwarding.forwardResponse(c.locals(), m); // §16.7 item 5 / §16.11: 2xx retransmissions go upstream
            }
            return;
        }
        log.debug("call {}: stray {} response to {} absorbed", m.callIdOrEmpty(), m.statusCode(), m.cseq().method());
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** The top Via as the router's responses carry it: with received and rport (§18.2.1, RFC 3581 §4). */
    static String responseVia(Transport transport, InetSocketAddress source, Via top) {
        String topVia = top.withSource(NetUtil.toAddressString(source.getAddress()), source.getPort());
        if (transport.webSocket() && top.rport() < 0) {
            // A browser's sent-by names nothing (RFC 7118 §5): the connection's port, as Kamailio's force_rport() for
            // WebSocket clients, lets a response forwarded by this Via alone (a 2xx retransmission) find it again.
            topVia += ";rport=" + source.getPort();
        }
        return topVia;
    }

    static Destination responseDestination(Transport transport, InetSocketAddress source, Channel connection,
                                                   Via top) {
        if (transport.reliable()) {
            // §18.2.2: on the connection the request came on; if it has closed, a new one to received:sent-by port.
            Channel live = connection;
            int port = top.port() < 0 ? 5060 : top.port();
            return new Destination(transport, new InetSocketAddress(source.getAddress(), port), live);
        }
        // §18.2.2 and RFC 3581 §4: to the source address, at rport when the client asked for it, else the sent-by port;
        // from the socket the request came in on (RFC 3581 §4: a NAT lets back only what comes from where it sent).
        int port = top.rport() >= 0 ? source.getPort() : top.port() < 0 ? 5060 : top.port();
        return new Destination(transport, new InetSocketAddress(source.getAddress(), port), connection);
    }

    /** {@link Dispatcher#isFromNode}, where a failing dispatcher means "not a node" (nothing is relayed to it). */
    private boolean isFromNode(InetSocketAddress source) {
        try {
            return dispatcher.isFromNode(source);
        } catch (RuntimeException e) {
            log.warn("dispatcher failed on isFromNode({}): {}", source, e.toString());
            return false;
        }
    }

    /** A {@link RequestValidator} refusal, without a transaction: the request may not even be matchable (§16.3). */
    private void reject(ProxyContext c, SipMessage m, Inbound in, RequestValidator.Reject r) {
        if (r.status() == 400 || r.status() == 505) {
            metrics.badRequest();
        }
        log.debug("call {}: {} from {} answered {}: {}", m.callIdOrEmpty(), m.method(), in.source(), r.status(),
                r.detail());
        LocalResponses responses = c.responses();
        List<String> headers = new ArrayList<>(r.headers().size() + 1);
        headers.addAll(r.headers());
        headers.add(responses.warning(r.detail()));
        out.send(responses.build(m, in.topVia(), r.status(), r.phrase(), LocalResponses.statelessTag(), headers),
                in.responseDestination(), m.callIdOrEmpty());
    }

    private void drop(SipMessage m, InetSocketAddress source, String reason) {
        metrics.dropped();
        log.debug("call {}: dropped {} from {}: {}", m.callIdOrEmpty(),
                m.isRequest() ? m.method() : String.valueOf(m.statusCode()), source, reason);
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
