package io.roundhouse.router.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SIP OPTIONS to every node each interval and keeps each node's {@link NodeHealth}. A reply of any status except
 * 408 shows a live SIP stack (RFC 3261 §11.2: a busy node may answer OPTIONS with 503 and is still alive; "full" is the
 * business of full marks, not of health); a 408, a transport error or no reply within the timeout is a miss.
 *
 * <p>{@link #tick()} does one round of due work and never blocks: the send function is asynchronous, and its
 * completions only update a concurrent map. Tests drive it with a controllable clock.
 */
public final class HealthProber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthProber.class);

    /** How often the scheduler looks for due probes: well under any sensible interval. */
    static final Duration TICK = Duration.ofMillis(100);

    private volatile HealthSettings settings;
    private final Supplier<Map<String, String>> targets;
    private final Function<String, CompletionStage<Integer>> sendOptions;
    private final LongSupplier nanoClock;
    private final Map<String, Probed> nodes = new ConcurrentHashMap<>();
    /** The nodes DOWN now, kept with each change: what dispatch asks per call instead of every node's state. */
    private final Set<String> down = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> downListeners = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> schedule;

    /**
     * Per node: health, where it was probed, the next due time, the probe in flight (0: none), and the latest probe that
     * ended (null before; its age counted from {@code lastEndedNanos}).
     */
    private record Probed(String uri, NodeHealth health, long nextDueNanos, long pendingSeq, long pendingSinceNanos,
                          ProbeResult last, long lastEndedNanos) {}

    private long seq;

    /**
     * @param targets     node id to SIP URI of every node to probe now (read each tick, so nodes come and go)
     * @param sendOptions sends OPTIONS to a URI; completes with the final status (408 or 0 for a timeout)
     * @param nanoClock   monotonic clock ({@code System::nanoTime} outside tests)
     */
    public HealthProber(HealthSettings settings, Supplier<Map<String, String>> targets,
                        Function<String, CompletionStage<Integer>> sendOptions, LongSupplier nanoClock) {
        this.settings = settings;
        this.targets = targets;
        this.sendOptions = sendOptions;
        this.nanoClock = nanoClock;
    }

    /**
     * Live reload: the next probes use {@code newSettings} (interval, timeout, thresholds). Turning probing on or off
     * needs a restart (the reload refuses it), so {@code enabled} is the same as before.
     */
    public void reconfigure(HealthSettings newSettings) {
        this.settings = newSettings;
    }

    /** Probes on {@code scheduler} from now on; a no-op when probing is disabled. */
    public void start(ScheduledExecutorService scheduler) {
        if (settings.enabled()) {
            schedule = scheduler.scheduleWithFixedDelay(this::safeTick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            // One bad round must not cancel the schedule (a scheduled task that throws is never run again).
            LOG.warn("health probing round failed: {}", e.toString(), e);
        }
    }

    /** The node's state; UNKNOWN for a node never probed. Always {@code UP} when probing is disabled. */
    public HealthState state(String nodeId) {
        if (!settings.enabled()) {
            return HealthState.UP;
        }
        Probed p = nodes.get(nodeId);
        return p == null ? HealthState.UNKNOWN : p.health().state();
    }

    /**
     * The nodes DOWN now (a live view: usually empty). Every other node is UP or UNKNOWN, which take calls; empty
     * while probing is disabled.
     */
    public Set<String> downNodes() {
        return settings.enabled() ? java.util.Collections.unmodifiableSet(down) : Set.of();
    }

    /** Registers a listener told the id of each node that goes DOWN, once per change, on the probe's thread. */
    public void onDown(Consumer<String> listener) {
        downListeners.add(listener);
    }

    /** The node's probing record (state, consecutive misses and good replies), for operators; empty if never probed. */
    public java.util.Optional<NodeHealth> health(String nodeId) {
        Probed p = nodes.get(nodeId);
        return p == null ? java.util.Optional.empty() : java.util.Optional.of(p.health());
    }

    /** The node's latest probe that ended, with its age, for operators; empty if none has ended yet. */
    public java.util.Optional<ProbeResult> lastProbe(String nodeId) {
        Probed p = nodes.get(nodeId);
        if (p == null || p.last() == null) {
            return java.util.Optional.empty();
        }
        ProbeResult r = p.last();
        return java.util.Optional.of(new ProbeResult(Duration.ofNanos(Math.max(0, nanoClock.getAsLong()
                - p.lastEndedNanos())), r.good(), r.status(), r.latency(), r.detail()));
    }

    /** Node id to state, for logs and operators. */
    public Map<String, HealthState> states() {
        Map<String, HealthState> out = new java.util.TreeMap<>();
        nodes.forEach((id, p) -> out.put(id, p.health().state()));
        return out;
    }

    /** One round: forget nodes that left, add new ones (due at once), time out late probes, send due probes. */
    public synchronized void tick() {
        long now = nanoClock.getAsLong();
        Map<String, String> current = targets.get();
        nodes.keySet().retainAll(current.keySet());
        down.retainAll(current.keySet());
        current.forEach((id, uri) -> {
            Probed p = nodes.compute(id, (k, before) -> before == null || !before.uri().equals(uri)
                    ? new Probed(uri, NodeHealth.unknown(now), now, 0, 0, null, 0) : before);
            if (p.health().state() != HealthState.DOWN && down.contains(id)) {
                syncDown(id);
            }
        });
        long timeout = settings.timeout().toNanos();
        for (String id : Set.copyOf(nodes.keySet())) {
            Probed p = nodes.get(id);
            if (p == null) {
                continue;
            }
            if (p.pendingSeq() != 0 && now - p.pendingSinceNanos() >= timeout) {
                record(id, p.pendingSeq(), 0, "no reply within " + settings.timeout().toMillis() + "ms");
                p = nodes.get(id);
            }
            if (p != null && p.pendingSeq() == 0 && now - p.nextDueNanos() >= 0) {
                send(id, p, now);
            }
        }
    }

    private void send(String id, Probed p, long now) {
        long s = ++seq;
        nodes.put(id, new Probed(p.uri(), p.health(), now + settings.interval().toNanos(), s, now, p.last(),
                p.lastEndedNanos()));
        CompletionStage<Integer> reply;
        try {
            reply = sendOptions.apply(p.uri());
        } catch (RuntimeException e) {
            record(id, s, 0, "send failed: " + e);
            return;
        }
        reply.whenComplete((status, error) -> {
            if (error != null) {
                record(id, s, 0, "send failed: " + error);
            } else {
                int code = status == null ? 0 : status;
                record(id, s, code, code == 0 ? "no reply" : "status " + code);
            }
        });
    }

    /**
     * Applies the result of probe {@code s} (its reply's status, 0 for none); a result for a probe already timed out or
     * replaced is ignored.
     */
    private void record(String id, long s, int status, String detail) {
        boolean good = status != 0 && status != 408;
        long now = nanoClock.getAsLong();
        HealthState[] before = new HealthState[1];
        Probed after = nodes.computeIfPresent(id, (k, p) -> {
            if (p.pendingSeq() != s) {
                return p;
            }
            before[0] = p.health().state();
            NodeHealth h = good ? p.health().good(settings.upAfter(), now) : p.health().miss(settings.downAfter(), now);
            ProbeResult last = new ProbeResult(Duration.ZERO, good, status,
                    status == 0 ? null : Duration.ofNanos(now - p.pendingSinceNanos()), detail);
            return new Probed(p.uri(), h, p.nextDueNanos(), 0, 0, last, now);
        });
        if (after == null || before[0] == null) {
            return;
        }
        NodeHealth h = after.health();
        boolean changed = before[0] != h.state();
        syncDown(id);
        if (changed && h.state() == HealthState.DOWN) {
            LOG.warn("node {} ({}) is DOWN after {} missed OPTIONS ({})", id, after.uri(), h.misses(), detail);
            for (Consumer<String> l : downListeners) {
                try {
                    l.accept(id);
                } catch (RuntimeException e) {
                    LOG.warn("node-down listener failed for {}: {}", id, e.toString(), e);
                }
            }
        } else if (changed && h.state() == HealthState.UP) {
            LOG.info("node {} ({}) is UP after {} good OPTIONS replies ({})", id, after.uri(), h.goods(), detail);
        } else {
            LOG.debug("node {} OPTIONS {}: {}", id, good ? "ok" : "missed", detail);
        }
    }

    /** Makes {@link #downNodes()} agree with the node's state in the map, whatever order two updates ran in. */
    private void syncDown(String id) {
        synchronized (down) {
            Probed p = nodes.get(id);
            if (p != null && p.health().state() == HealthState.DOWN) {
                down.add(id);
            } else {
                down.remove(id);
            }
        }
    }

    @Override
    public void close() {
        ScheduledFuture<?> s = schedule;
        if (s != null) {
            s.cancel(false);
        }
    }
}
