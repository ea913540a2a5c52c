package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.transaction.ClientTransaction;
import io.roundhouse.router.transaction.ClientTransactionListener;
import io.roundhouse.router.transaction.InviteClientTransaction;
import io.roundhouse.router.transaction.InviteServerTransaction;
import io.roundhouse.router.transaction.NonInviteClientTransaction;
import io.roundhouse.router.transaction.NonInviteServerTransaction;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.ServerTransaction;
import io.roundhouse.router.transaction.SipScheduler.Cancellable;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.ListenPoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request (§16.6-§16.10): its server transaction, the branch being tried, serial failover to the next node
 * on 5xx or timeout (§16.6 item 10 with a dispatcher), CANCEL (§16.10) and Timer C (§16.8), in the explicit
 * {@link State}s below; every change of state goes through {@link #to}.
 */
final class ProxyCall implements ClientTransactionListener {

    private static final Logger log = LoggerFactory.getLogger(ProxyCall.class);

    /**
     * Where the call stands, as the caller sees it. Whether the call was dispatched (a new call: failover applies) or
     * follows its Route set (in-dialog) is not a state: it never changes.
     */
    enum State {
        /** Choosing the next hop: the dispatcher's answer or a name lookup is awaited; no branch is pending. */
        ROUTING,
        /** A branch is pending and has answered 100 at most: the failover timeout runs. */
        TRYING,
        /** The pending branch answered 101-199 (§16.7 item 2): only a final response, Timer C or node down end it. */
        PROCEEDING,
        /**
         * The caller cancelled (§16.10) once the branch had a provisional response: the branch's CANCEL is sent and
         * its 487 awaited, for 64*T1 at most. A failover that happens meanwhile ends in the router's 487.
         */
        CANCELLING,
        /** The caller has its final response, or the server transaction ended: nothing more is tried or sent. */
        TERMINATED;

        boolean mayBecome(State next) {
            return switch (this) {
                case ROUTING -> next == ROUTING || next == TRYING || next == TERMINATED;
                case TRYING -> next != TRYING;
                case PROCEEDING -> next != TRYING;
                case CANCELLING -> next == TERMINATED;
                case TERMINATED -> false;
            };
        }
    }

    /** Methods that create a dialog: record-routed so that the dialog's requests come back through the router. */
    private static final Set<String> DIALOG_CREATING = Set.of("INVITE", "SUBSCRIBE", "REFER", "NOTIFY");
    /** A guard against a dispatcher that never says "no node left". */
    private static final int MAX_ATTEMPTS = 32;

    private final ProxyContext ctx;
    private final SipMessage request;
    private final Inbound in;
    private final ServerTransaction st;
    private final boolean invite;
    private final RequestContext context;
    private final String callId;
    private final String toTag = LocalResponses.newTag();
    private RoutePlan plan;
    private boolean dispatched;
    /** When the request arrived, for the call setup histogram; the service its dispatch found ("-": none). */
    private final long arrivedNanos = System.nanoTime();
    private String service = "-";
    private DispatchTarget target;
    private ClientTransaction branch;
    private int attempt;
    /** Created when the call first has a 5xx to keep while the next node is tried. */
    private ResponseContext responseContext;
    private State state = State.ROUTING;
    private Cancellable failoverTimer = Cancellable.NONE;
    /** When the pending branch was sent (the scheduler's clock), and whether its failover was put off already. */
    private long branchStarted;
    private boolean failoverDeferred;
    private Cancellable timerC = Cancellable.NONE;
    private Cancellable cancelGuard = Cancellable.NONE;
    private Cancellable dispatcherWatchdog = Cancellable.NONE;
    private int dispatcherQuestions;
    private String loopHash;

    private ProxyCall(ProxyContext ctx, SipMessage request, Inbound in, ServerTransaction st) {
        this.ctx = ctx;
        this.request = request;
        this.in = in;
        this.st = st;
        this.invite = request.isMethod("INVITE");
        this.context = new RequestContext(request, in.source());
        this.callId = request.callId();
    }

    /**
     * Copies the request (the inbound buffer is reused by the transport) and opens its server transaction; an INVITE
     * gets 100 Trying at once (§16.2, §17.2.1) so that the caller stops retransmitting.
     */
    static ProxyCall create(ProxyContext ctx, SipMessage m, Inbound in) {
        // A plain heap copy, not reference counted: a dispatcher may still read the CallContext after the call ended.
        SipMessage request = m.copy();
        ServerKey key = ServerKey.of(request);
        ServerTransaction st = request.isMethod("INVITE")
                ? new InviteServerTransaction(ctx.table(), key, in.responseDestination(), request.callId())
                : new NonInviteServerTransaction(ctx.table(), key, in.responseDestination(), request.callId());
        ProxyCall call = new ProxyCall(ctx, request, in, st);
        ctx.calls().started();
        st.owner(call);
        st.onTerminated(call::release);
        call.plan = ctx.routes().plan(request);
        if (call.invite) {
            call.respond(100, "Trying", List.of());
        }
        return call;
    }

    // ---- choosing where to send ------------------------------------------------------------------------------------

    /** A new out-of-dialog request: ask the dispatcher. */
    void dispatch() {
        dispatched = true;
        CompletionStage<Optional<DispatchTarget>> stage;
        try {
            stage = ctx.dispatcher().select(context);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        whenDone(stage);
    }

    /** An in-dialog request (or one with a Route set): its next hop is fixed. */
    void forwardInDialog() {
        sendTo(plan.nextHop(), Map.of());
    }

    private void whenDone(CompletionStage<Optional<DispatchTarget>> stage) {
        int asked = ++dispatcherQuestions;
        dispatcherWatchdog.cancel();
        CompletableFuture<Optional<DispatchTarget>> answer = stage.toCompletableFuture();
        if (answer.isDone() && ctx.loop().inEventLoop()) {
            // Most answers come from the in-memory view at once: no timer to arm and cancel for them.
            Optional<DispatchTarget> choice = null;
            Throwable error = null;
            try {
                choice = answer.join();
            } catch (CompletionException | CancellationException e) {
                error = e.getCause() == null ? e : e.getCause();
            }
            try {
                onTarget(asked, choice, error);
            } catch (RuntimeException e) {
                // As whenComplete would have kept it from the caller: this may run inside a transaction's response.
                log.warn("call {}: handling the dispatcher's answer failed", callId, e);
            }
            return;
        }
        // A dispatcher that never answers must not hold the caller (and the transaction) forever.
        dispatcherWatchdog = ctx.scheduler().schedule(() -> {
            if (asked == dispatcherQuestions && !st.finalSent()) {
                log.warn("call {}: dispatcher gave no answer within {} ms", callId,
                        ctx.timers().timerB().toMillis());
                dispatcherQuestions++;
                noNodeLeft();
            }
        }, ctx.timers().timerB());
        stage.whenComplete((t, e) -> {
            if (ctx.loop().inEventLoop()) {
                onTarget(asked, t, e);
            } else {
                ctx.loop().execute(() -> onTarget(asked, t, e));
            }
        });
    }

    private void onTarget(int asked, Optional<DispatchTarget> choice, Throwable error) {
        if (asked != dispatcherQuestions || state == State.TERMINATED) {
            return; // an answer the watchdog already gave up on
        }
        dispatcherWatchdog.cancel();
        if (st.finalSent()) {
            return;
        }
        if (state == State.CANCELLING) {
            respond(487, "Request Terminated", List.of());
            return;
        }
        if (error != null) {
            log.warn("call {}: dispatcher failed: {}", callId, error.toString());
            noNodeLeft();
            return;
        }
        if (choice == null || choice.isEmpty() || attempt >= MAX_ATTEMPTS) {
            if (target == null && !noServiceTakes()) {
                return;
            }
            noNodeLeft();
            return;
        }
        if (target == null) {
            service = ctx.dispatcher().service(context).orElse("-");
        }
        target = choice.get();
        SipUri uri;
        try {
            uri = SipUri.parse(target.sipUri());
        } catch (SipParseException e) {
            log.warn("call {}: node {} has a bad URI {}: {}", callId, target.nodeId(), target.sipUri(), e.reason());
            tryNext(AttemptOutcome.timeout());
            return;
        }
        sendTo(uri, target.addHeaders());
    }

    private void sendTo(SipUri nextHop, Map<String, String> addHeaders) {
        int thisAttempt = attempt;
        if (sips() && !in.transport().secure()) {
            refuseSips(NextHops.SIPS_NOT_ALLOWED + ": the request came over " + in.transport().viaName());
            return;
        }
        FlowRoutes.Hop flow = dispatched ? null : ctx.flows().route(request, plan);
        if (flow instanceof FlowRoutes.Over over) {
            if (sips() && !over.destination().transport().secure()) {
                refuseSips(NextHops.SIPS_NOT_ALLOWED + ": the browser's connection is " + over.destination()
                        .transport().viaName());
            } else {
                start(build(over.destination(), addHeaders, thisAttempt), over.destination());
            }
            return;
        } else if (flow instanceof FlowRoutes.Refused refused) {
            if (refused.status() == 403) {
                ctx.metrics().relayRefused();
            }
            log.debug("call {}: {} from {} not forwarded: {}", callId, request.method(), in.source(), refused.why());
            respond(refused.status(), refused.reason(), List.of(ctx.responses().warning(refused.why())));
            return;
        }
        // A node the dispatcher chose is the farm's; a hop the request names itself must pass the relay rule.
        // A hop the request names may be a caller that kept its port (LocalAddresses#sideOf): it is sent from there.
        ListenPoint leaveFrom = dispatched ? null : plan.leaveFrom();
        ctx.nextHops().resolve(nextHop, sips(), leaveFrom, dest -> dispatched
                || ctx.relay().allows(request, plan, dest.address()) ? build(dest, addHeaders, thisAttempt) : null,
                (out, dest) -> {
                    if (out == null) {
                        refuseRelay(nextHop);
                    } else {
                        start(out, dest);
                    }
                }, reason -> {
            log.debug("call {}: cannot send to {}: {}", callId, nextHop.text(), reason);
            if (NextHops.RESOLVER_FULL.equals(reason)) {
                if (!st.finalSent()) {
                    // overload: come back later
                    respond(503, "Service Unavailable", List.of(ctx.responses().warning(reason)));
                }
            } else if (reason.startsWith(NextHops.SIPS_NOT_ALLOWED)) {
                refuseSips(reason); // not the node's fault: no other node is asked, none is marked
            } else if (dispatched) {
                tryNext(AttemptOutcome.timeout());
            } else if (!st.finalSent()) {
                respond(502, "Bad Gateway", List.of(ctx.responses().warning(reason)));
            }
        });
    }

    /** RFC 5630: a {@code sips:} request goes over TLS on every hop or not at all. */
    private boolean sips() {
        return NextHops.isSips(plan.requestUri());
    }

    private void refuseSips(String reason) {
        if (!st.finalSent()) {
            LocalAddresses locals = ctx.locals();
            respond(480, "Temporarily Unavailable", List.of(
                    NextHops.sipsNotAllowedWarning(locals.hostPort(locals.points().get(0))),
                    ctx.responses().warning(reason)));
        }
    }

    private void refuseRelay(SipUri nextHop) {
        ctx.metrics().relayRefused();
        log.debug("call {}: {} from {} not relayed to {}", callId, request.method(), in.source(), nextHop.text());
        respond(403, "Forbidden", List.of(ctx.responses().warning("not relayed: the next hop is neither a farm node"
                + " nor a hop of a dialog the router record-routed")));
    }

    private ByteBuf build(Destination dest, Map<String, String> addHeaders, int thisAttempt) {
        LocalAddresses locals = ctx.locals();
        ListenPoint outPoint = locals.sendingPoint(dest);
        String branchId = branchFor(thisAttempt);
        List<String> recordRoutes = List.of();
        if (ctx.recordRoute() && request.toTagOrNull() == null
                && DIALOG_CREATING.contains(request.method())) {
            // Double Record-Route when the two sides differ in transport, address family or (where callers keep
            // their port) UDP socket, so that each side's in-dialog requests reach the router over what that side
            // speaks and where it can (after RFC 5658 §3.2).
            ListenPoint inPoint = locals.sideOf(in.transport(), in.source(), in.connection());
            // A browser's side is its flow (FlowRoutes), not its .invalid Contact.
            String flow = ctx.flows().tokenOf(in);
            String signature = ctx.relay().signer().sign(callId, flow != null ? FlowRoutes.hop(flow) : upstreamHop(),
                    RouteSigner.hopOf(dest.address()));
            String outRr = locals.recordRoute(dest.transport(), outPoint, signature, sips());
            String inRr = locals.recordRoute(in.transport(), inPoint, signature, sips(), flow);
            recordRoutes = outRr.equals(inRr) ? List.of(outRr) : List.of(outRr, inRr);
        }
        ForwardEdits edits = new ForwardEdits(plan.newRequestUri(), locals.via(dest.transport(), outPoint, branchId),
                recordRoutes, in.topVia(), plan.drop(), plan.appendRoute(), addHeaders);
        return ctx.writer().forwardRequest(request, edits);
    }

    /**
     * Where the callee's in-dialog requests go after the router (§12.1.1): the nearest upstream Record-Route, else the
     * caller's Contact; "" when the request names neither (nothing is then signed towards the caller).
     */
    private String upstreamHop() {
        List<ValueRange> rr = request.ranges(HeaderName.RECORD_ROUTE);
        List<ValueRange> hop = rr.isEmpty() ? request.ranges(HeaderName.CONTACT) : rr;
        if (hop.isEmpty()) {
            return "";
        }
        ValueRange v = hop.get(0);
        try {
            SipUri uri = NameAddr.parse(request.text(v), v.start() - request.base(), "Record-Route").sipUri();
            return uri.isSip() ? RouteSigner.hopOf(uri) : "";
        } catch (SipParseException e) {
            return "";
        }
    }

    /** The branch of attempt {@code n}: the request's loop hash (computed once) and the attempt number. */
    private String branchFor(int n) {
        if (loopHash == null) {
            loopHash = Branches.loopHash(request, request.topVia());
        }
        return Branches.PREFIX + loopHash + "." + n;
    }

    private void start(ByteBuf out, Destination dest) {
        if (state == State.TERMINATED || st.finalSent() || state == State.CANCELLING) {
            out.release();
            if (state == State.CANCELLING && !st.finalSent()) {
                respond(487, "Request Terminated", List.of());
            }
            return;
        }
        String branchId = branchFor(attempt);
        ClientTransaction ct = invite
                ? new InviteClientTransaction(ctx.table(), branchId, out, dest, this)
                : new NonInviteClientTransaction(ctx.table(), branchId, request.method(), out, dest, this);
        branch = ct;
        branchStarted = ctx.scheduler().nanoTime();
        failoverDeferred = false;
        to(State.TRYING);
        ctx.metrics().out();
        ct.start();
        if (invite) {
            timerC.cancel();
            timerC = ctx.scheduler().schedule(() -> onTimerC(ct), ctx.timers().timerC()); // §16.6 item 11
        }
        if (dispatched) {
            // A node that does not answer at all (not even 100) is abandoned early and the next one tried.
            failoverTimer = ctx.scheduler().schedule(() -> onFailoverTimeout(ct), ctx.timers().failoverTimeout());
        }
    }

    private void onFailoverTimeout(ClientTransaction ct) {
        if (ct != branch || st.finalSent()) {
            return; // (a 101-699 response cancels this timer)
        }
        long waited = ctx.scheduler().nanoTime() - branchStarted;
        long limit = (invite ? ctx.timers().timerB() : ctx.timers().timerF()).toNanos();
        if (waited < limit && ctx.overload().overloaded()) {
            // A router behind its own queues has most likely not read the node's answer yet (100, 180 or 200 waiting
            // in its socket): another node now would start a second leg. The timeout is re-armed instead, never
            // beyond the branch's Timer B (F for a non-INVITE, §17.1.1.2, §17.1.2.2): the time RFC 3261 gives a
            // client transaction for its first response, which ends a branch that got no answer at all anyway.
            if (!failoverDeferred) {
                failoverDeferred = true;
                ctx.metrics().failoverDeferred();
            }
            log.debug("call {}: no answer from {} after {} ms, but the router is overloaded: waiting longer", callId,
                    target == null ? ct.destination() : target.nodeId(), waited / 1_000_000);
            failoverTimer = ctx.scheduler().schedule(() -> onFailoverTimeout(ct),
                    Duration.ofNanos(Math.min(ctx.timers().failoverTimeout().toNanos(), limit - waited)));
            return;
        }
        log.debug("call {}: no answer from {} within {} ms, trying the next node", callId,
                target == null ? ct.destination() : target.nodeId(), ctx.timers().failoverTimeout().toMillis());
        if (invite && ct.provisionalReceived()) {
            CancelProcessing.cancelBranch(ctx, ct); // it sent 100 only: §9.1 allows the CANCEL
        }
        ct.abandon();
        tryNext(AttemptOutcome.timeout());
    }

    private void tryNext(AttemptOutcome outcome) {
        branch = null;
        if (state != State.CANCELLING) {
            to(State.ROUTING); // a cancelled call asks on too (the dispatcher learns of the failure), then gets 487
        }
        failoverTimer.cancel();
        timerC.cancel();
        if (!dispatched || target == null) {
            noNodeLeft();
            return;
        }
        attempt++;
        CompletionStage<Optional<DispatchTarget>> stage;
        try {
            stage = ctx.dispatcher().next(context, target, outcome);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        whenDone(stage);
    }

    /**
     * Before any node was chosen: when no service matches the request, answers {@code sip.no-service-status} (404 by
     * default, without Retry-After: a 503 would make an upstream proxy avoid the whole router for a number nobody
     * serves) and returns false; otherwise notes the service and returns true.
     */
    private boolean noServiceTakes() {
        Optional<String> s = ctx.dispatcher().service(context);
        if (s.isPresent()) {
            service = s.get();
            return true;
        }
        int status = ctx.noServiceStatus();
        respond(status, LocalResponses.reasonPhrase(status),
                List.of(ctx.responses().warning("no service matches this request")));
        return false;
    }

    private void noNodeLeft() {
        if (st.finalSent()) {
            return;
        }
        ByteBuf best = responseContext == null ? null : responseContext.takeBest();
        if (best != null) {
            int status = responseContext.bestStatus();
            ctx.metrics().out();
            st.sendResponse(status, best);
            outcome(status, "best response after " + (attempt + 1) + " attempts");
            settle();
        } else {
            respond(503, "Service Unavailable", List.of(ctx.responses().warning(dispatched ? "no node available"
                    : "next hop unreachable")));
        }
    }

    // ---- responses from the branch -------------------------------------------------------------------------------

    @Override
    public void onResponse(ClientTransaction ct, SipMessage response) {
        int status = response.statusCode();
        if (ResponseContext.meantForTheRouter(response)) {
            ctx.metrics().dropped();
            log.debug("call {}: {} response with only the router's Via dropped", callId, status);
            return;
        }
        if (ct != branch) {
            lateResponse(ct, response);
            return;
        }
        if (status > 100) {
            failoverTimer.cancel(); // 100 is hop by hop: a node that goes silent after it is still failed over
        }
        if (status < 200) {
            if (invite && status > 100) {
                // §16.7 item 2: only 101-199 restart Timer C (set when the INVITE was forwarded, §16.6 item 11).
                timerC.cancel();
                timerC = ctx.scheduler().schedule(() -> onTimerC(ct), ctx.timers().timerC());
            }
            if (invite && state == State.CANCELLING) {
                CancelProcessing.cancelBranch(ctx, ct);
            }
            if (ResponseContext.forwardsProvisional(status)) {
                if (state == State.TRYING) {
                    to(State.PROCEEDING);
                }
                forward(status, response);
            }
            return;
        }
        timerC.cancel();
        cancelGuard.cancel();
        switch (ResponseContext.onFinal(status, dispatched && state != State.CANCELLING, st.finalSent())) {
            case TRY_NEXT -> {
                if (responseContext == null) {
                    responseContext = new ResponseContext();
                }
                responseContext.consider(status, response, ctx.writer());
                tryNext(new AttemptOutcome(status, retryAfter(response)));
                return;
            }
            case ROUTERS_503 -> {
                branch = null;
                respond(503, "Service Unavailable", List.of(ctx.responses().warning("next hop unavailable")));
            }
            case END_UNWANTED -> {
                branch = null;
                ctx.endedLegs().end(response); // the caller has its answer (487 after a CANCEL race): no second one
            }
            case FORWARD -> {
                branch = null;
                forward(status, response);
            }
        }
        if (target != null) {
            try {
                ctx.dispatcher().completed(context, target, status);
            } catch (RuntimeException e) {
                log.warn("call {}: dispatcher failed on completion: {}", callId, e.toString());
            }
        }
        outcome(status, "from " + (target == null ? ct.destination() : target.nodeId()));
        settle();
    }

    /** A response on a branch the call gave up on (failover, CANCEL) or after the caller has its answer. */
    private void lateResponse(ClientTransaction ct, SipMessage response) {
        int status = response.statusCode();
        if (status < 200) {
            if (ct instanceof InviteClientTransaction ict && (ict.abandoned() || st.finalSent())) {
                CancelProcessing.cancelBranch(ctx, ct); // nobody wants this branch any more (§16.7 item 10 by analogy)
            }
        } else if (status < 300) {
            if (!st.finalSent()) {
                // The first 2xx wins, even from a branch failed over from: the caller gets it, the pending branch is
                // cancelled (§16.7 item 10).
                forward(status, response);
                cancelPending();
                settle();
            } else {
                // The caller already has its final response: a second 2xx would be a second leg nobody wants
                // (§16.7 item 5 says forward; the router ends it instead, docs/decisions.md).
                ctx.endedLegs().end(response);
            }
        }
    }

    @Override
    public void onTimeout(ClientTransaction ct, boolean transportError) {
        if (ct != branch) {
            return;
        }
        failoverTimer.cancel();
        timerC.cancel();
        if (st.finalSent()) {
            return;
        }
        if (state == State.CANCELLING) {
            respond(487, "Request Terminated", List.of());
        } else if (dispatched) {
            tryNext(AttemptOutcome.timeout());
        } else if (transportError && ct.destination().transport().webSocket()) {
            branch = null; // the browser's connection broke under the request (FlowRoutes; RFC 5626 §5.3)
            respond(430, "Flow Failed", List.of(ctx.responses().warning("the WebSocket connection of this dialog's"
                    + " browser has closed")));
        } else {
            branch = null;
            respond(transportError ? 503 : 408, transportError ? "Service Unavailable" : "Request Timeout",
                    List.of(ctx.responses().warning("no answer from the next hop")));
        }
    }

    /** §16.8 Timer C: a call ringing too long is cancelled; a branch that never answered counts as a timeout. */
    private void onTimerC(ClientTransaction ct) {
        if (ct != branch || st.finalSent()) {
            return;
        }
        if (ct.provisionalReceived()) {
            // The branch is cancelled, not the call: the node's 487 goes upstream as its answer.
            CancelProcessing.cancelBranch(ctx, ct);
            armCancelGuard(ct);
        } else {
            onTimeout(ct, false);
        }
    }

    /** Relays a response in the server transaction (a 2xx after the caller's final one never comes here). */
    private void forward(int status, SipMessage response) {
        ctx.metrics().out();
        st.sendResponse(status, ctx.writer().forwardResponse(response));
    }

    private static Optional<Duration> retryAfter(SipMessage response) {
        int h = response.first(HeaderName.RETRY_AFTER);
        if (h < 0) {
            return Optional.empty();
        }
        String v = response.headerValue(h);
        int end = 0;
        while (end < v.length() && Character.isDigit(v.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 9) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofSeconds(Long.parseLong(v.substring(0, end))));
    }

    /**
     * The node of the pending branch went down (health). A call ringing there (a 101-199 stopped its failover timer)
     * would otherwise wait for Timer C and get a misleading 487: the branch is CANCELled (§9.1) and the call failed
     * over at once. A call the caller already cancelled, waiting for the node's 487, gets it now. A branch that has not
     * rung is left to its failover timeout, which ends it soon anyway, so that probing that misjudges an overloaded
     * node does not cut calls about to be answered. Returns whether the call's branch was given up.
     */
    boolean nodeDown(String nodeId) {
        ClientTransaction ct = branch;
        if (ct == null || !dispatched || target == null || !nodeId.equals(target.nodeId()) || st.finalSent()
                || !(state == State.CANCELLING ? ct.provisionalReceived() : state == State.PROCEEDING)) {
            return false;
        }
        log.debug("call {}: node {} went down, its branch is given up", callId, nodeId);
        if (invite && ct.provisionalReceived()) {
            CancelProcessing.cancelBranch(ctx, ct);
        }
        ct.abandon();
        if (state == State.CANCELLING) {
            branch = null;
            respond(487, "Request Terminated", List.of());
        } else {
            tryNext(AttemptOutcome.timeout());
        }
        return true;
    }

    // ---- CANCEL -----------------------------------------------------------------------------------------------------

    /** §16.10: the caller cancelled. The pending branch is cancelled; the caller gets 487. */
    void cancel() {
        if (st.finalSent() || state == State.CANCELLING || state == State.TERMINATED) {
            return;
        }
        ClientTransaction ct = branch;
        if (ct != null && ct.provisionalReceived()) {
            to(State.CANCELLING);
            CancelProcessing.cancelBranch(ctx, ct); // the node answers the INVITE with 487, which goes upstream
            armCancelGuard(ct);
            return;
        }
        // §9.1: no provisional yet, so no CANCEL may be sent now; stop retransmitting, answer the caller, and cancel
        // the branch if it ever answers with a provisional response.
        failoverTimer.cancel();
        if (ct != null) {
            ct.abandon();
        }
        branch = null;
        respond(487, "Request Terminated", List.of());
    }

    /** The branch still being tried is given up: cancelled if it has answered provisionally, else when it does. */
    private void cancelPending() {
        ClientTransaction ct = branch;
        branch = null;
        failoverTimer.cancel();
        timerC.cancel();
        if (ct == null) {
            return;
        }
        if (invite && ct.provisionalReceived()) {
            CancelProcessing.cancelBranch(ctx, ct);
        }
        ct.abandon();
    }

    /** If the node never answers the CANCEL's INVITE, the caller still gets its 487 (64*T1 later). */
    private void armCancelGuard(ClientTransaction ct) {
        cancelGuard.cancel();
        cancelGuard = ctx.scheduler().schedule(() -> {
            if (!st.finalSent()) {
                ct.abandon();
                branch = null;
                respond(487, "Request Terminated", List.of());
            }
        }, ctx.timers().sixtyFourT1());
    }

    // ---- local responses and cleanup -------------------------------------------------------------------------------

    private void respond(int status, String reason, List<String> extra) {
        if (state == State.TERMINATED || st.finalSent()) {
            return;
        }
        ctx.metrics().out();
        st.sendResponse(status, ctx.responses().build(request, in.topVia(), status, reason, toTag, extra));
        if (status >= 200) {
            outcome(status, "by the router");
            settle();
        }
    }

    private void outcome(int status, String how) {
        if (invite && dispatched) {
            ctx.metrics().callSetup(service, status, System.nanoTime() - arrivedNanos);
        }
        if (log.isDebugEnabled()) {
            log.debug("call {}: {} {} -> {} {} (attempts {}, via {})", callId, request.method(), request.requestUri(),
                    status, how, attempt + 1, in.transport().lowerName());
        }
    }

    /**
     * The caller has its final answer. The server transaction lives on (Timer H/I/J, or Timer L in the Accepted state,
     * 32 s at default timers) to absorb retransmissions, but needs nothing of the call: drop the link to this context
     * so that the request copy and call state are freed now, not when the transaction ends (at 1,600 calls/s, Timer L
     * would otherwise keep about 50,000 calls alive and lengthen every young GC).
     */
    private void settle() {
        st.owner(null);
        st.onTerminated(() -> { });
        release();
    }

    /** Every change of {@link State} goes through here; a change the table does not allow is a bug. */
    private void to(State next) {
        if (!state.mayBecome(next)) {
            throw new IllegalStateException("call " + callId + ": " + state + " -> " + next);
        }
        state = next;
    }

    private void release() {
        if (state == State.TERMINATED) {
            return;
        }
        to(State.TERMINATED);
        ctx.calls().ended();
        failoverTimer.cancel();
        timerC.cancel();
        cancelGuard.cancel();
        dispatcherWatchdog.cancel();
        if (responseContext != null) {
            responseContext.release();
        }
    }
}
