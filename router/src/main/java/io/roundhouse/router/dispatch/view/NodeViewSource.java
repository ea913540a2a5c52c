package io.roundhouse.router.dispatch.view;

import io.roundhouse.shared.logging.LogThrottle;
import io.roundhouse.shared.state.NodeControls;
import io.roundhouse.shared.state.NodeStates;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.state.ServiceMarks;
import io.roundhouse.shared.state.StateEvent;
import io.roundhouse.shared.state.StateEvents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the current {@link NodeView} and the {@link PlacementCache} up to date from Redis, on a thread of its own: a
 * full refresh every interval (default 1 s), an early one on any node event, placements updated straight from room
 * events. Each refresh builds a whole new snapshot and swaps one reference. When Redis is unreachable the last view
 * stays in place; after it returns, placements decided locally meanwhile are reconciled (see docs/dispatch.md).
 */
public final class NodeViewSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeViewSource.class);

    private volatile NodeViewBuilder builder;
    private final NodeStates nodes;
    private final ServiceMarks marks;
    private final Placements placements;
    private final StateEvents events;
    private final PlacementCache cache;
    private final RedisStatus redis;
    private final Duration interval;
    private final Duration holdover;
    private final LongSupplier wallClock;
    private final NodeControls controls;
    private final Duration reclaimAfter;
    private long holdoverUntilMillis;
    /** Node named by placements but absent from the view, to when this router first saw it absent (view thread). */
    private final Map<String, Long> absentSince = new java.util.HashMap<>();
    private final LogThrottle reclaimLines = new LogThrottle();
    private final List<Consumer<NodeView>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final LogThrottle reconciledLines = new LogThrottle();
    private final LogThrottle lostLines = new LogThrottle();
    private volatile NodeView current;
    private volatile StateEvents.Subscription subscription;
    private ScheduledExecutorService thread;

    public NodeViewSource(NodeViewBuilder builder, NodeStates nodes, ServiceMarks marks, Placements placements,
                          StateEvents events, PlacementCache cache, RedisStatus redis, Duration interval,
                          Duration holdover, LongSupplier wallClock) {
        this(builder, nodes, marks, placements, events, cache, redis, interval, holdover, wallClock, null);
    }

    /** @param controls the operators' wishes, read with every refresh; null when there are none (tests) */
    public NodeViewSource(NodeViewBuilder builder, NodeStates nodes, ServiceMarks marks, Placements placements,
                          StateEvents events, PlacementCache cache, RedisStatus redis, Duration interval,
                          Duration holdover, LongSupplier wallClock, NodeControls controls) {
        this(builder, nodes, marks, placements, events, cache, redis, interval, holdover, wallClock, controls,
                Duration.ZERO);
    }

    /**
     * @param controls     the operators' wishes, read with every refresh; null when there are none (tests)
     * @param reclaimAfter placements of a node absent from the view this long are released
     *                     ({@code dispatch.placement-reclaim-after}); zero never releases them
     */
    public NodeViewSource(NodeViewBuilder builder, NodeStates nodes, ServiceMarks marks, Placements placements,
                          StateEvents events, PlacementCache cache, RedisStatus redis, Duration interval,
                          Duration holdover, LongSupplier wallClock, NodeControls controls, Duration reclaimAfter) {
        this.controls = controls;
        this.reclaimAfter = reclaimAfter;
        this.builder = builder;
        this.nodes = nodes;
        this.marks = marks;
        this.placements = placements;
        this.events = events;
        this.cache = cache;
        this.redis = redis;
        this.interval = interval;
        this.holdover = holdover;
        this.wallClock = wallClock;
        this.current = builder.configOnly(wallClock.getAsLong());
    }

    /** The snapshot to decide on now; never null, never blocks. */
    public NodeView current() {
        return current;
    }

    public PlacementCache placements() {
        return cache;
    }

    public RedisStatus redisStatus() {
        return redis;
    }

    /** Called on the view thread with every new snapshot (e.g. to probe new nodes at once). */
    public void onChange(Consumer<NodeView> listener) {
        listeners.add(listener);
    }

    /** Reads Redis once on the calling thread (at start, so the first call already sees the farm), then runs. */
    public synchronized void start() {
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dispatch-view");
            t.setDaemon(true);
            return t;
        });
        refresh();
        thread.scheduleWithFixedDelay(this::refresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One full refresh now, on the calling thread. Never throws: a Redis failure keeps the last view. */
    public synchronized void refresh() {
        refreshQueued.set(false);
        boolean wasDown = !redis.isUp();
        try {
            ensureSubscribed();
            long stamp = cache.beginFullRead();
            List<NodeState> states = nodes.readAll();
            long now = wallClock.getAsLong();
            if (wasDown) {
                holdoverUntilMillis = now + holdover.toMillis();
            }
            if (now < holdoverUntilMillis) {
                states = withHeldOver(states);
            }
            Map<String, Set<String>> full = marks.readAll();
            Map<String, String> placed = placements.readAll();
            Map<String, io.roundhouse.shared.state.NodeStatus> wishes = controls == null ? Map.of()
                    : controls.readAll(builder.ids(states));
            NodeView view = builder.build(states, full, wishes, now, true);
            cache.replaceAll(placed, stamp);
            boolean changed = !view.uris().equals(current.uris());
            current = view;
            redis.succeeded();
            reconcile();
            reclaimStranded(view, placed, now);
            if (changed) {
                LOG.info("node view: {}", view.uris().keySet());
            }
            for (Consumer<NodeView> l : listeners) {
                l.accept(view);
            }
        } catch (RuntimeException e) {
            redis.failed("full refresh", e);
        }
    }

    /**
     * Right after an outage, node states have expired in Redis (or Redis came back empty) and agents need a heartbeat
     * or a reconnect to publish again: until then, nodes of the last view that Redis does not show yet are kept as
     * they were, so the farm does not look empty for a moment.
     */
    private List<NodeState> withHeldOver(List<NodeState> fromRedis) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        fromRedis.forEach(n -> seen.add(n.id()));
        List<NodeState> merged = new java.util.ArrayList<>(fromRedis);
        for (NodeEntry e : current.nodes()) {
            if (e.agent().isPresent() && !seen.contains(e.id())) {
                merged.add(e.agent().get());
            }
        }
        return merged;
    }

    /** Writes placements decided during an outage; where another router placed the room meanwhile, its owner wins. */
    private void reconcile() {
        for (Map.Entry<String, String> e : cache.unreconciled().entrySet()) {
            Placements.Claim claim = placements.claim(e.getKey(), e.getValue());
            cache.reconciled(e.getKey(), e.getValue(), claim.owner());
            // After an outage there may be thousands: a few lines, then a count (issue 9, log floods).
            if (claim.won()) {
                long suppressed = reconciledLines.admit();
                if (suppressed != LogThrottle.SUPPRESS) {
                    LOG.info("placement {} decided locally on {} during the Redis outage is now in Redis{}",
                            e.getKey(), e.getValue(), LogThrottle.suppressedNote(suppressed));
                }
            } else if (!claim.owner().equals(e.getValue())) {
                long suppressed = lostLines.admit();
                if (suppressed != LogThrottle.SUPPRESS) {
                    LOG.warn("placement {} decided locally on {} during the Redis outage was placed on {} by another"
                            + " router; new joins follow {}{}", e.getKey(), e.getValue(), claim.owner(),
                            claim.owner(), LogThrottle.suppressedNote(suppressed));
                }
            }
        }
        long quietWon = reconciledLines.takeSuppressed();
        long quietLost = lostLines.takeSuppressed();
        if (quietWon + quietLost > 0) {
            LOG.info("{} more placements decided during the Redis outage are now in Redis, {} more were placed by"
                    + " another router (lines suppressed)", quietWon, quietLost);
        }
    }

    /** Releases per refresh at most: each is one round trip on this thread, which must refresh again soon. */
    static final int MAX_RECLAIMS_PER_REFRESH = 1_000;

    /**
     * Issue 12: a node that never comes back leaves its placements in Redis forever (only a node's own agent releases
     * them, and a router moves one only when a call comes for its room). A placement naming a node that has been
     * absent from this router's view for {@code reclaimAfter} is released, compare-and-delete (a placement moved or
     * released meanwhile is left alone), at most {@link #MAX_RECLAIMS_PER_REFRESH} per refresh. Absent from the view
     * means: not a static node of the config, no state published by an agent (its heartbeat expired), not held over
     * after an outage. Such a node takes no call from this router, which would move the room at its next call anyway:
     * releasing it earlier splits nothing a call would not. The time counts from this router's first refresh that
     * found the node absent, so a router that starts waits a whole {@code reclaimAfter}.
     */
    private void reclaimStranded(NodeView view, Map<String, String> placed, long now) {
        if (reclaimAfter.isZero()) {
            return;
        }
        Map<String, List<String>> byAbsentNode = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : placed.entrySet()) {
            if (!view.byId().containsKey(e.getValue())) {
                byAbsentNode.computeIfAbsent(e.getValue(), n -> new java.util.ArrayList<>()).add(e.getKey());
            }
        }
        absentSince.keySet().retainAll(byAbsentNode.keySet());
        int budget = MAX_RECLAIMS_PER_REFRESH;
        for (Map.Entry<String, List<String>> e : byAbsentNode.entrySet()) {
            String node = e.getKey();
            long since = absentSince.computeIfAbsent(node, n -> now);
            if (now - since < reclaimAfter.toMillis() || budget == 0) {
                continue;
            }
            int released = 0;
            int tried = 0;
            for (String key : e.getValue()) {
                if (budget == 0) {
                    break;
                }
                budget--;
                tried++;
                if (placements.release(key, node)) {
                    cache.released(key, node);
                    released++;
                }
            }
            long suppressed = reclaimLines.admit();
            if (suppressed != LogThrottle.SUPPRESS) {
                LOG.info("node {} has been absent from the view for {} s (no agent state, not a static node): released"
                        + " {} of its {} placements{}{}", node, (now - since) / 1000, released, e.getValue().size(),
                        tried < e.getValue().size() ? ", the rest at the next refreshes" : "",
                        LogThrottle.suppressedNote(suppressed));
            }
        }
    }

    private void ensureSubscribed() {
        if (subscription == null && events != null) {
            subscription = events.subscribe(this::onEvent, this::requestRefresh);
        }
    }

    private void onEvent(StateEvent e) {
        switch (e.type()) {
            case ROOM_PLACED, ROOM_MOVED -> cache.learned(e.subject(), e.nodeId());
            case ROOM_RELEASED -> cache.released(e.subject(), e.nodeId());
            case NODE_UP, NODE_DOWN, NODE_DRAINING -> requestRefresh();
        }
    }

    /**
     * Live reload: the config's static nodes are now {@code statics}. The view is rebuilt at once from the agent
     * states and marks it holds (so a new node takes calls now, even while Redis is unreachable), then refreshed.
     */
    public synchronized void replaceStatics(List<StaticNode> statics) {
        builder = new NodeViewBuilder(statics);
        NodeView last = current;
        List<NodeState> agents = new java.util.ArrayList<>();
        Map<String, Set<String>> full = new java.util.HashMap<>();
        for (NodeEntry e : last.nodes()) {
            e.agent().ifPresent(agents::add);
            full.put(e.id(), e.fullServices());
        }
        NodeView view = builder.build(agents, full, wallClock.getAsLong(), last.fromRedis());
        current = view;
        LOG.info("node view after reload: {}", view.uris().keySet());
        for (Consumer<NodeView> l : listeners) {
            l.accept(view);
        }
        requestRefresh();
    }

    /** Asks for a refresh on the view thread soon; several requests before it runs make one refresh. */
    public void requestRefresh() {
        ScheduledExecutorService t = thread;
        if (t != null && refreshQueued.compareAndSet(false, true)) {
            try {
                t.execute(this::refresh);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                LOG.debug("view refresh not queued: closing");
            }
        }
    }

    @Override
    public synchronized void close() {
        if (subscription != null) {
            subscription.close();
        }
        if (thread != null) {
            thread.shutdownNow();
        }
    }
}
