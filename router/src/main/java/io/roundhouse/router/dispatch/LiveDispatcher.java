package io.roundhouse.router.dispatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.dispatch.strategy.Candidate;
import io.roundhouse.router.dispatch.strategy.Ranked;
import io.roundhouse.router.dispatch.strategy.Strategies;
import io.roundhouse.router.dispatch.strategy.Strategy;
import io.roundhouse.router.dispatch.view.Eligibility;
import io.roundhouse.router.dispatch.view.LocalFullMarks;
import io.roundhouse.router.dispatch.view.NodeEntry;
import io.roundhouse.router.dispatch.view.NodeView;
import io.roundhouse.router.dispatch.view.NodeViewSource;
import io.roundhouse.router.dispatch.view.PlacementCache;
import io.roundhouse.router.dispatch.view.RedisStatus;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.services.ServiceMatch;
import io.roundhouse.router.services.ServiceRule;
import io.roundhouse.router.services.ServiceRules;
import io.roundhouse.shared.logging.LogThrottle;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.state.ServiceMarks;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Application-aware dispatch: classifies a call into a service, picks a node from the live view with the service's
 * strategy, keeps conference rooms on one node through placements in Redis, and redispatches what a node bounces.
 *
 * <p>Everything on the calling event loop reads in-memory state only. An affinity call that must place or move its
 * room makes one Redis round trip on {@code redisExecutor} (two in a rare race, see {@link #settle}); when Redis is
 * known to be unreachable it makes none and places the room locally, for the view to reconcile later.
 */
public final class LiveDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(LiveDispatcher.class);

    public static final String EXEC_APP = "X-Exec-App";
    public static final String EXEC_APP_DATA = "X-Exec-App-Data";
    /**
     * The call's placement key, for a service with affinity: the node's dialplan passes it to the Stasis application
     * (asterisk-conf/extensions.conf), so the agent releases exactly the placement this router claimed.
     */
    public static final String EXEC_APP_PLACEMENT = "X-Exec-App-Placement";

    /** The service rules and their strategies, swapped as one reference by {@link #reconfigure} (live reload). */
    private volatile Services services;
    private final NodeViewSource view;
    private final Eligibility eligibility;
    private final FarmHealth health;
    private final LocalFullMarks localMarks;
    private final Placements placements;
    private final ServiceMarks marks;
    private final Executor redisExecutor;
    private volatile DispatchSettings settings;
    private final DecisionLog decisions;
    private final TaggedCounters failures;
    private final TaggedCounters redispatches;
    private final TaggedCounters outcomes;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClock;
    private final Map<String, CallAttempts> calls = new ConcurrentHashMap<>();
    /**
     * One INFO line per bounce was a flood when a full farm bounces thousands of calls a second: a few lines per
     * interval, then the next one says how many were left out (the counter {@code roundhouse.dispatch.failures} has
     * every bounce).
     */
    private final LogThrottle fullLines;
    /** Each service's pool indexed for the current view and rules; rebuilt on the view thread when either changes. */
    private volatile Prepared prepared;

    /**
     * Rankings kept with a call beyond the nodes it may try: a redispatch takes the rest of its first ranking (the
     * nodes still eligible), and only when all of these became ineligible meanwhile is the pool ranked afresh.
     */
    static final int SPARE_RANKS = 8;

    public LiveDispatcher(ServiceRules rules, NodeViewSource view, FarmHealth health, Eligibility eligibility,
                          LocalFullMarks localMarks,
                          Placements placements, ServiceMarks marks, Executor redisExecutor, DispatchSettings settings,
                          DecisionLog decisions, MeterRegistry registry, LongSupplier nanoClock,
                          LongSupplier wallClock) {
        this.view = view;
        this.eligibility = eligibility;
        this.health = health;
        this.localMarks = localMarks;
        this.placements = placements;
        this.marks = marks;
        this.redisExecutor = redisExecutor;
        this.settings = settings;
        this.decisions = decisions;
        this.failures = new TaggedCounters(registry, "roundhouse.dispatch.failures",
                "attempts that failed on a node, by status", "service", "node", "status");
        this.redispatches = new TaggedCounters(registry, "roundhouse.dispatch.redispatches",
                "calls sent on to another node after a node failed them, by what the node did", "service", "reason");
        this.outcomes = new TaggedCounters(registry, "roundhouse.dispatch.outcomes", "final outcome of dispatched calls",
                "service", "node", "class");
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.fullLines = new LogThrottle(LogThrottle.DEFAULT_BURST, LogThrottle.DEFAULT_INTERVAL, nanoClock);
        this.services = Services.of(rules, settings);
        prepare(view.current(), services);
        view.onChange(v -> prepare(v, services));
    }

    /**
     * Live reload: calls that arrive from now on are classified and dispatched by {@code newRules} and
     * {@code newSettings}; calls in progress keep their service (one that the reload dropped keeps a strategy of its
     * own rule for its redispatches).
     */
    public void reconfigure(ServiceRules newRules, DispatchSettings newSettings) {
        this.settings = newSettings;
        Services s = Services.of(newRules, newSettings);
        this.services = s;
        prepare(view.current(), s);
    }

    private record Services(ServiceRules rules, Map<String, Strategy> strategies) {
        static Services of(ServiceRules rules, DispatchSettings settings) {
            Map<String, Strategy> strategies = new HashMap<>();
            for (ServiceRule r : rules.rules()) {
                strategies.put(r.name(), Strategies.forRule(r, settings.channelWeight()));
            }
            return new Services(rules, Map.copyOf(strategies));
        }
    }

    /** The services' pools for one view and one set of rules. */
    private record Prepared(NodeView view, Services services, Map<String, ServicePool> pools) {}

    /**
     * The pools of the current view and rules. Built by the view thread right after it swaps a view in; a call that
     * sees a view before its pools are ready builds them itself (once).
     */
    private Prepared prepared() {
        Prepared p = prepared;
        if (p.view() == view.current() && p.services() == services) {
            return p;
        }
        return prepare(view.current(), services);
    }

    private synchronized Prepared prepare(NodeView v, Services s) {
        Prepared p = prepared;
        if (p != null && p.view() == v && p.services() == s) {
            return p;
        }
        Map<String, ServicePool> pools = new HashMap<>();
        for (ServiceRule r : s.rules().rules()) {
            pools.put(r.name(), ServicePool.build(r, v, eligibility, s.strategies().get(r.name())));
        }
        p = new Prepared(v, s, Map.copyOf(pools));
        prepared = p;
        return p;
    }

    /** The pool of the call's rule in the current view (a rule replaced by a reload gets one of its own). */
    private ServicePool poolOf(ServiceMatch m) {
        Prepared p = prepared();
        ServicePool sp = p.pools().get(m.service());
        if (sp != null && sp.rule == m.rule()) {
            return sp;
        }
        return ServicePool.build(m.rule(), p.view(), eligibility, strategyFor(m));
    }

    private Strategy strategyFor(ServiceMatch m) {
        Strategy s = services.strategies().get(m.service());
        return s != null ? s : Strategies.forRule(m.rule(), settings.channelWeight());
    }

    // ---------------------------------------------------------------------------------------------------- select

    @Override
    public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
        Optional<ServiceMatch> matched = services.rules().classify(call);
        if (matched.isEmpty()) {
            record(call, null, "-", null, "no-service", 1, List.of(), Map.of(), "-");
            return none();
        }
        ServiceMatch m = matched.get();
        CallAttempts st = new CallAttempts(m, nanoClock.getAsLong());
        CallAttempts previous = calls.put(call.callId(), st);
        if (previous != null) {
            LOG.debug("call {} selected again: earlier dispatch state replaced", call.callId());
        }
        ServicePool sp = poolOf(m);
        if (m.affinityKey().isEmpty()) {
            return CompletableFuture.completedFuture(byStrategy(call, st, sp, "strategy"));
        }
        String key = m.affinityKey().get();
        Optional<String> placed = view.placements().lookup(key);
        if (placed.isPresent()) {
            NodeEntry node = sp.view.byId().get(placed.get());
            // A placement outside the service's pool (a config edit that separated tenants or took the node out) is
            // never followed.
            String why = !sp.inPool(placed.get()) ? "outside-pool"
                    : node != null ? eligibility.whyNotJoin(node, m) : "gone";
            if (why == null) {
                return done(call, st, key, node, "affinity-placed", List.of(), Map.of());
            }
            if (!placesRooms(call)) {
                return CompletableFuture.completedFuture(byStrategy(call, st, sp, "strategy"));
            }
            // The room's node cannot take the join: place the room anew, moving it away from that node.
            return place(call, st, key, placed.get(), why);
        }
        if (!placesRooms(call)) {
            return CompletableFuture.completedFuture(byStrategy(call, st, sp, "strategy"));
        }
        return place(call, st, key, null, null);
    }

    /**
     * Only an INVITE joins a room: another request of the service (OPTIONS, MESSAGE, SUBSCRIBE) follows a placement
     * that exists but never claims or moves one.
     */
    private static boolean placesRooms(CallContext call) {
        return isInvite(call);
    }

    /** Passive health counts INVITEs only: a call's answer (or its silence) is what it judges. */
    private static boolean isInvite(CallContext call) {
        return "INVITE".equals(call.method());
    }

    /** The first node by the service's strategy, without affinity (also the redispatch of such a call). */
    private Optional<DispatchTarget> byStrategy(CallContext call, CallAttempts st, ServicePool sp, String reason) {
        Pool pool = pool(sp, st.match, st.tried());
        if (pool.isEmpty()) {
            return noNode(call, st, null, pool.excluded);
        }
        List<Ranked> ranked = reuseOrRank(call, st, pool);
        NodeEntry chosen = pool.candidate(ranked.get(0).nodeId());
        return doneNow(call, st, null, chosen, reason, ranked, pool.excluded);
    }

    /** On a redispatch, the rest of the first ranking (so a weighted or hashed call keeps its order), else rank. */
    private List<Ranked> reuseOrRank(CallContext call, CallAttempts st, Pool pool) {
        List<Ranked> previous = st.ranked();
        if (!previous.isEmpty()) {
            List<Ranked> rest = new ArrayList<>();
            for (Ranked r : previous) {
                if (pool.candidate(r.nodeId()) != null) {
                    rest.add(r);
                }
            }
            if (!rest.isEmpty()) {
                return rest;
            }
        }
        List<Ranked> ranked = pool.index.prepared.rank(pool.skipped, call, settings.maxAttempts() + SPARE_RANKS);
        st.ranked(ranked);
        return ranked;
    }

    // ----------------------------------------------------------------------------------------------- affinity

    /**
     * Places the room on the best eligible node: a claim when it is not placed, a compare-and-set move away from
     * {@code from} when it is. Following whoever owns it in Redis afterwards, so two routers never split a room.
     */
    private CompletionStage<Optional<DispatchTarget>> place(CallContext call, CallAttempts st, String key, String from,
                                                            String fromWhyNot) {
        ServicePool sp = poolOf(st.match);
        Pool pool = pool(sp, st.match, st.tried());
        if (from != null && fromWhyNot != null) {
            pool.excluded.put(from, "placed-but-" + fromWhyNot);
        }
        NodeEntry host = from == null ? hostOf(sp, st, key) : null;
        List<Ranked> ranked;
        NodeEntry chosen;
        String claimReason;
        if (host != null) {
            // Not placed, yet an agent reports the room live on this node (placements lost with a Redis that came
            // back empty, or a placement released too early): put it back where its participants are.
            ranked = List.of(new Ranked(ServicePool.candidate(host), 0));
            chosen = host;
            claimReason = "affinity-recovered";
        } else {
            if (pool.isEmpty()) {
                return CompletableFuture.completedFuture(noNode(call, st, key, pool.excluded));
            }
            ranked = reuseOrRank(call, st, pool);
            chosen = pool.candidate(ranked.get(0).nodeId());
            claimReason = "affinity-claimed";
        }
        RedisStatus redis = view.redisStatus();
        PlacementCache cache = view.placements();
        if (!redis.isUp()) {
            cache.decidedLocally(key, chosen.id());
            return CompletableFuture.completedFuture(doneNow(call, st, key, chosen, "affinity-local", ranked,
                    pool.excluded));
        }
        CompletableFuture<Settled> redisWork;
        try {
            redisWork = CompletableFuture.supplyAsync(() -> settle(key, from, chosen.id(), st, claimReason),
                    redisExecutor);
        } catch (RejectedExecutionException e) {
            LOG.warn("Redis work queue full: placing {} locally on {}", key, chosen.id());
            cache.decidedLocally(key, chosen.id());
            return CompletableFuture.completedFuture(doneNow(call, st, key, chosen, "affinity-local", ranked,
                    pool.excluded));
        }
        return redisWork.orTimeout(settings.redisTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((settled, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause()
                                != null ? error.getCause() : error;
                        if (cause instanceof IllegalArgumentException) {
                            // The contract refused the key itself: Redis is fine, this call just has no placement.
                            LOG.warn("call {}: placement key {} refused ({}); routed without placement",
                                    call.callId(), key, cause.getMessage());
                            return doneNow(call, st, key, chosen, "affinity-refused", ranked, pool.excluded);
                        }
                        redis.failed("placement of " + key, cause instanceof Exception ex ? ex
                                : new RuntimeException(cause));
                        cache.decidedLocally(key, chosen.id());
                        return doneNow(call, st, key, chosen, "affinity-local", ranked, pool.excluded);
                    }
                    if (settled.node() == null) {
                        pool.excluded.put(settled.owner(), "owner-unavailable");
                        return noNode(call, st, key, pool.excluded);
                    }
                    NodeEntry target = view.current().node(settled.node()).orElse(chosen);
                    return doneNow(call, st, key, target, settled.reason(), ranked, pool.excluded);
                });
    }

    /** Where Redis settled a placement: the node to use (null: none usable), why, and the owner Redis reported. */
    private record Settled(String node, String reason, String owner) {}

    /**
     * Runs on the Redis executor. Claims (from == null) or moves the key to {@code to}; when another router got there
     * first, follows the owner if it can take the call, and otherwise moves the room away from it once more.
     */
    private Settled settle(String key, String from, String to, CallAttempts st, String claimReason) {
        PlacementCache cache = view.placements();
        String owner;
        if (from == null) {
            Placements.Claim c = placements.claim(key, to);
            owner = c.owner();
            if (c.won()) {
                return learned(cache, key, new Settled(to, claimReason, to));
            }
        } else {
            Placements.Move mv = placements.move(key, from, to);
            owner = mv.owner();
            if (mv.moved()) {
                return learned(cache, key, new Settled(to, "affinity-moved", to));
            }
            if (owner == null || owner.isEmpty()) {
                // Released meanwhile (the last participant left): a plain claim now.
                Placements.Claim c = placements.claim(key, to);
                owner = c.owner();
                if (c.won()) {
                    return learned(cache, key, new Settled(to, "affinity-claimed", to));
                }
            }
        }
        view.redisStatus().succeeded();
        if (owner.equals(to)) {
            // Another router (or another call) put it where this call was going: following, not claiming.
            return learned(cache, key, new Settled(to, "affinity-followed", to));
        }
        if (joinable(owner, st)) {
            return learned(cache, key, new Settled(owner, "affinity-followed", owner));
        }
        Placements.Move again = placements.move(key, owner, to);
        if (again.moved()) {
            return learned(cache, key, new Settled(to, "affinity-moved", to));
        }
        String last = again.owner() == null ? owner : again.owner();
        cache.learned(key, last);
        return joinable(last, st) ? new Settled(last, "affinity-followed", last) : new Settled(null, "owner-unavailable",
                last);
    }

    private Settled learned(PlacementCache cache, String key, Settled s) {
        cache.learned(key, s.owner());
        view.redisStatus().succeeded();
        return s;
    }

    private boolean joinable(String nodeId, CallAttempts st) {
        if (st.wasTried(nodeId) || !poolOf(st.match).inPool(nodeId)) {
            return false;
        }
        return view.current().node(nodeId).map(n -> eligibility.whyNotJoin(n, st.match) == null).orElse(false);
    }

    // -------------------------------------------------------------------------------------------------- next

    @Override
    public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                          AttemptOutcome outcome) {
        if (isInvite(call)) {
            if (outcome.isTimeout()) {
                health.inviteTimedOut(failed.nodeId());
            } else {
                health.inviteAnswered(failed.nodeId());
            }
        }
        CallAttempts st = calls.get(call.callId());
        if (st == null) {
            LOG.warn("call {}: next() after {} answered {} but no dispatch state is known (expired?): not"
                    + " redispatched", call.callId(), failed.nodeId(), outcome.statusCode());
            return none();
        }
        ServiceMatch m = st.match;
        int status = outcome.statusCode();
        int tried = st.failed(failed.nodeId());
        String why = outcome.isTimeout() ? "timeout" : Integer.toString(status);
        st.lastFailure(failed.nodeId() + ":" + why);
        failures.increment(m.service(), failed.nodeId(), why);
        if (!outcome.isTimeout() && (status < 500 || status > 599)) {
            // RFC 3261 §16.7: only a 5xx (or no answer) is worth another branch; 4xx/6xx are the caller's answer.
            calls.remove(call.callId());
            return none();
        }
        if (status == 503) {
            Duration retryAfter = outcome.retryAfter().orElse(settings.defaultRetryAfter());
            if (!retryAfter.isZero() && !retryAfter.isNegative()) {
                markFull(failed.nodeId(), m.service(), retryAfter);
            }
        }
        Map<String, String> excluded = new LinkedHashMap<>();
        if (tried >= settings.maxAttempts()) {
            st.tried().forEach(id -> excluded.put(id, "tried"));
            record(call, m, m.affinityKey().orElse("-"), null, "max-attempts", tried + 1, List.of(), excluded,
                    st.lastFailure());
            calls.remove(call.callId());
            return none();
        }
        redispatches.increment(m.service(), why);
        if (m.affinityKey().isEmpty() || !placesRooms(call)) {
            return CompletableFuture.completedFuture(byStrategy(call, st, poolOf(m), "redispatch"));
        }
        String key = m.affinityKey().get();
        int live = view.current().node(failed.nodeId()).map(n -> participants(n, key, m.appData())).orElse(0);
        if (live > 0) {
            // Moving a room that still has people in it would split it: the caller gets 503 instead.
            excluded.put(failed.nodeId(), "room-has-" + live + "-participants");
            record(call, m, key, null, "room-busy", tried + 1, List.of(), excluded, st.lastFailure());
            calls.remove(call.callId());
            return none();
        }
        return place(call, st, key, failed.nodeId(), outcome.isTimeout() ? "timeout" : "bounced-" + status);
    }

    /**
     * The first node (in view order) not tried yet whose agent reports live participants in the room and that can
     * take a join, or null. Looked up in the view's index of rooms, by placement key and by room name.
     */
    private NodeEntry hostOf(ServicePool sp, CallAttempts st, String key) {
        NodeView v = sp.view;
        List<NodeEntry> byKey = v.hostsOf(key);
        String room = roomName(st.match.appData());
        List<NodeEntry> byRoom = room.isEmpty() ? List.of() : v.hostsOf(room);
        List<NodeEntry> hosts = byKey;
        if (!byRoom.isEmpty()) {
            if (byKey.isEmpty()) {
                hosts = byRoom;
            } else {
                hosts = new ArrayList<>(byKey);
                byRoom.stream().filter(n -> !byKey.contains(n)).forEach(hosts::add);
                hosts.sort(java.util.Comparator.comparingInt(n -> v.position(n.id())));
            }
        }
        for (NodeEntry n : hosts) {
            if (!st.wasTried(n.id()) && sp.inPool(n.id()) && eligibility.whyNotJoin(n, st.match) == null) {
                return n;
            }
        }
        return null;
    }

    /** The room's name in the app-data: up to its first comma, as Asterisk splits Stasis arguments. */
    private static String roomName(String appData) {
        int comma = appData.indexOf(',');
        return comma < 0 ? appData : appData.substring(0, comma);
    }

    /**
     * The room's participants on a node by its agent. Agents publish rooms by name, the first Stasis argument (the
     * app-data up to its first comma, as Asterisk splits it), or by placement key: ask for both.
     */
    private static int participants(NodeEntry node, String key, String appData) {
        String room = roomName(appData);
        return Math.max(node.participants(key), room.isEmpty() ? 0 : node.participants(room));
    }

    private void markFull(String nodeId, String service, Duration retryAfter) {
        localMarks.markFull(nodeId, service, retryAfter);
        long suppressed = fullLines.admit();
        if (suppressed != LogThrottle.SUPPRESS) {
            LOG.info("node {} is full for {} for {} s (503 with Retry-After){}", nodeId, service,
                    retryAfter.toSeconds(), LogThrottle.suppressedNote(suppressed));
        }
        if (!view.redisStatus().isUp()) {
            return;
        }
        try {
            redisExecutor.execute(() -> {
                try {
                    marks.markFull(nodeId, service, retryAfter);
                } catch (RuntimeException e) {
                    view.redisStatus().failed("full mark of " + nodeId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("full mark of {} for {} kept local: Redis work queue full", nodeId, service);
        }
    }

    @Override
    public void completed(CallContext call, DispatchTarget target, int statusCode) {
        CallAttempts st = calls.remove(call.callId());
        if (isInvite(call)) {
            health.inviteAnswered(target.nodeId());
        }
        String service = st == null ? "-" : st.match.service();
        outcomes.increment(service, target.nodeId(), statusClass(statusCode));
    }

    @Override
    public void onNodeDown(NodeDownListener listener) {
        health.onNodeDown(id -> {
            if (view.current().nodes().stream().anyMatch(n -> !n.id().equals(id) && health.takesCalls(n.id()))) {
                listener.nodeDown(id);
            } else {
                LOG.warn("node {} is down and no other node looks up: calls on it are left to their timers", id);
            }
        });
    }

    @Override
    public boolean isFromNode(InetSocketAddress source) {
        NodeView v = view.current();
        if (v.addresses().contains(source)) {
            return true;
        }
        return !settings.trustNodePorts() && v.hosts().contains(source.getAddress());
    }

    @Override
    public Optional<String> service(CallContext call) {
        CallAttempts st = calls.get(call.callId());
        return st != null ? Optional.of(st.match.service()) : services.rules().classify(call).map(ServiceMatch::service);
    }

    /** Forgets calls whose outcome never came (e.g. the caller vanished); run periodically off the event loop. */
    public int sweep() {
        long now = nanoClock.getAsLong();
        long ttl = settings.callStateTtl().toNanos();
        int before = calls.size();
        calls.values().removeIf(st -> now - st.startedNanos > ttl);
        return before - calls.size();
    }

    /** Calls between select and outcome (for a gauge and for tests). */
    public int callsInProgress() {
        return calls.size();
    }

    /**
     * What each service would make of each node of its pool now (a score, or why not), for operators. Runs off the
     * event loop: it ranks with fresh strategy instances, so the live ones' counters are not moved; a strategy that
     * hashes a call's key scores a synthetic call.
     */
    public List<Assessment> assess() {
        NodeView v = view.current();
        List<Assessment> out = new ArrayList<>();
        for (ServiceRule r : services.rules().rules()) {
            ServiceMatch m = new ServiceMatch(r, "", Optional.empty());
            Strategy fresh = Strategies.forRule(r, settings.channelWeight());
            Pool pool = pool(ServicePool.build(r, v, eligibility, fresh), m, Set.of());
            List<Candidate> candidates = pool.candidates();
            List<Ranked> ranked = candidates.isEmpty() ? List.of() : fresh.rank(candidates, ASSESSMENT);
            ranked.forEach(k -> out.add(new Assessment(r.name(), k.nodeId(), k.score(), fresh.scoreMeaning(), null)));
            pool.excluded.forEach((id, why) -> out.add(new Assessment(r.name(), id, 0, fresh.scoreMeaning(), why)));
        }
        return out;
    }

    /** The call {@link #assess} ranks for: no user, no host, nothing a rule could key on. */
    private static final CallContext ASSESSMENT = new CallContext() {
        public String method() {
            return "INVITE";
        }

        public String callId() {
            return "assessment";
        }

        public String requestUri() {
            return "sip:assessment@invalid";
        }

        public String requestUriUser() {
            return "assessment";
        }

        public String requestUriHost() {
            return "invalid";
        }

        public String fromUser() {
            return "";
        }

        public String toUser() {
            return "";
        }

        public List<String> headerValues(String name) {
            return List.of();
        }

        public InetSocketAddress source() {
            return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
        }
    };

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * The call's pool: the service's pool in the view, less what changed since the view was built. Only the nodes
     * tried by this call, the nodes health suspects and those this router marked full for the service are asked
     * about (usually none), so the cost does not grow with the farm; a health that cannot name its suspects has
     * every member asked. The reasons are those {@link Eligibility#whyNotNew} gives, "tried" first.
     */
    private Pool pool(ServicePool sp, ServiceMatch m, Set<String> tried) {
        Exclusions excluded = new Exclusions(sp.viewExcluded);
        int[] skipped = new int[4];
        int count = 0;
        java.util.Collection<String> suspects = health.suspects();
        if (suspects == null) {
            for (NodeEntry n : sp.members()) {
                count = leaveOut(sp, m, tried, n.id(), excluded, skipped, count);
                skipped = count == skipped.length ? Arrays.copyOf(skipped, count * 2) : skipped;
            }
        } else {
            for (String id : tried) {
                count = leaveOut(sp, m, tried, id, excluded, skipped, count);
                skipped = count == skipped.length ? Arrays.copyOf(skipped, count * 2) : skipped;
            }
            for (String id : suspects) {
                count = leaveOut(sp, m, tried, id, excluded, skipped, count);
                skipped = count == skipped.length ? Arrays.copyOf(skipped, count * 2) : skipped;
            }
            for (String id : localMarks.marked(m.service())) {
                count = leaveOut(sp, m, tried, id, excluded, skipped, count);
                skipped = count == skipped.length ? Arrays.copyOf(skipped, count * 2) : skipped;
            }
        }
        return new Pool(sp, distinctSorted(skipped, count), excluded);
    }

    /**
     * Asks whether the pool's node {@code id} can take this new call now; when not, records why and, if the view
     * had it as a candidate, adds its position to {@code skipped}. Returns the new count of skipped positions.
     */
    private int leaveOut(ServicePool sp, ServiceMatch m, Set<String> tried, String id, Exclusions excluded,
                         int[] skipped, int count) {
        NodeEntry n = sp.member(id);
        if (n == null) {
            return count;
        }
        String inView = sp.viewExcluded.get(id);
        String why = tried.contains(id) ? "tried" : health.whyNot(id);
        if (why == null) {
            why = inView != null ? inView : eligibility.locallyFull(id, m.service()) ? "full" : null;
        }
        if (why == null) {
            return count;
        }
        if (!why.equals(inView)) {
            excluded.put(id, why);
        }
        int p = sp.position(id);
        if (p >= 0) {
            skipped[count++] = p;
        }
        return count;
    }

    private static int[] distinctSorted(int[] values, int count) {
        if (count == 0) {
            return Strategy.NO_SKIP;
        }
        int[] v = Arrays.copyOf(values, count);
        Arrays.sort(v);
        int n = 1;
        for (int i = 1; i < v.length; i++) {
            if (v[i] != v[n - 1]) {
                v[n++] = v[i];
            }
        }
        return n == v.length ? v : Arrays.copyOf(v, n);
    }

    /** A call's pool: the service's pool, the positions this call leaves out, and every exclusion with why. */
    private record Pool(ServicePool index, int[] skipped, Exclusions excluded) {

        boolean isEmpty() {
            return skipped.length == index.size();
        }

        /** The node when it is a candidate of this call, else null. */
        NodeEntry candidate(String id) {
            int p = index.position(id);
            return p < 0 || Arrays.binarySearch(skipped, p) >= 0 ? null : index.candidateAt(p);
        }

        List<Candidate> candidates() {
            List<Candidate> out = new ArrayList<>(index.size() - skipped.length);
            for (int i = 0; i < index.size(); i++) {
                if (Arrays.binarySearch(skipped, i) < 0) {
                    out.add(index.candidates.get(i));
                }
            }
            return out;
        }
    }

    private CompletionStage<Optional<DispatchTarget>> done(CallContext call, CallAttempts st, String key,
                                                           NodeEntry node, String reason, List<Ranked> ranked,
                                                           Map<String, String> excluded) {
        return CompletableFuture.completedFuture(doneNow(call, st, key, node, reason, ranked, excluded));
    }

    private Optional<DispatchTarget> doneNow(CallContext call, CallAttempts st, String key, NodeEntry node,
                                             String reason, List<Ranked> ranked, Map<String, String> excluded) {
        record(call, st.match, key == null ? "-" : key, node.id(), reason, st.triedCount() + 1, ranked, excluded,
                st.lastFailure());
        if (isInvite(call)) {
            health.inviteSent(node.id());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(EXEC_APP, st.match.app());
        if (!st.match.appData().isEmpty()) {
            headers.put(EXEC_APP_DATA, st.match.appData());
        }
        if (key != null) {
            headers.put(EXEC_APP_PLACEMENT, key);
        }
        return Optional.of(new DispatchTarget(node.id(), node.sipUri(), headers));
    }

    private Optional<DispatchTarget> noNode(CallContext call, CallAttempts st, String key,
                                            Map<String, String> excluded) {
        record(call, st.match, key == null ? "-" : key, null, "no-node", st.triedCount() + 1, List.of(), excluded,
                st.lastFailure());
        calls.remove(call.callId());
        return Optional.empty();
    }

    private void record(CallContext call, ServiceMatch m, String key, String node, String reason, int attempt,
                        List<Ranked> ranked, Map<String, String> excluded, String failed) {
        String meaning = m == null ? "" : strategyFor(m).scoreMeaning();
        decisions.record(new Decision(call.callId(), m == null ? "-" : m.service(), key, node == null ? "-" : node,
                reason, attempt, ranked, meaning, excluded, wallClock.getAsLong(), failed));
    }

    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx"};

    private static String statusClass(int statusCode) {
        int c = statusCode / 100;
        return c >= 0 && c < STATUS_CLASSES.length ? STATUS_CLASSES[c] : c + "xx";
    }

    private static CompletionStage<Optional<DispatchTarget>> none() {
        return CompletableFuture.completedFuture(Optional.empty());
    }
}
