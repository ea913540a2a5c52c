package io.roundhouse.agent.publish;

import io.roundhouse.shared.retry.Backoff;
import io.roundhouse.agent.config.PublishSettings;
import io.roundhouse.agent.drain.DrainControl;
import io.roundhouse.agent.state.StateChangeListener;
import io.roundhouse.shared.state.MalformedStateException;
import io.roundhouse.shared.state.NodeControls;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStates;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.StateEvent;
import io.roundhouse.shared.state.StateEvents;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's one writer to Redis: on its own thread it reads the operator's control for this node, composes the node
 * state and publishes it with its TTL, every {@code publish.interval} and {@code publish.debounce} after a change.
 * While Redis is unreachable it keeps composing from live state, retries with capped exponential backoff (logging
 * each failure) and republishes the current state as soon as Redis answers again.
 *
 * <p>Status changes and removal are announced on the change channel by the shared write itself; this class adds a
 * re-read hint when only the readiness changed (see {@link #announce}).
 */
public final class StatePublisher implements StateChangeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatePublisher.class);

    private final String nodeId;
    private final NodeStates nodes;
    private final NodeControls controls;
    private final StateEvents events;
    private final NodeStateComposer composer;
    private final DrainControl drain;
    private final Duration ttl;
    private final LongSupplier nanoClock;
    private final PublishPolicy policy;
    private final Backoff backoff;
    private final Object lock = new Object();
    private final Object writeLock = new Object();
    private final Thread thread;
    private volatile boolean closed;
    private volatile NodeState lastWritten;
    private Readiness announced;
    private String badControl; // guarded by writeLock

    public StatePublisher(String nodeId, NodeStates nodes, NodeControls controls, StateEvents events,
                          NodeStateComposer composer, DrainControl drain, PublishSettings settings,
                          LongSupplier nanoClock) {
        this.nodeId = nodeId;
        this.nodes = nodes;
        this.controls = controls;
        this.events = events;
        this.composer = composer;
        this.drain = drain;
        this.ttl = settings.ttl();
        this.nanoClock = nanoClock;
        this.policy = new PublishPolicy(settings.interval(), settings.debounce());
        this.backoff = new Backoff(settings.retryMin(), settings.retryMax(),
                () -> ThreadLocalRandom.current().nextDouble());
        this.thread = new Thread(this::run, "state-publisher");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** The last state Redis accepted (for logs and tests). */
    public Optional<NodeState> lastWritten() {
        return Optional.ofNullable(lastWritten);
    }

    @Override
    public void stateChanged() {
        synchronized (lock) {
            policy.changed(nanoClock.getAsLong());
            lock.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            synchronized (lock) {
                long wait = policy.nanosUntilDue(nanoClock.getAsLong());
                if (wait > 0) {
                    try {
                        lock.wait(Math.max(1, wait / 1_000_000));
                    } catch (InterruptedException e) {
                        if (closed) {
                            break;
                        }
                        // Only close() interrupts this thread; anything else is ignored, as a publisher that
                        // stopped would take the node out of every router's pool.
                    }
                    continue;
                }
            }
            writeOnce();
        }
    }

    /**
     * Reads the control, composes and writes the state now, from the calling thread; true when Redis took it. Used by
     * the loop and by the shutdown path to be sure the final status was written.
     */
    public boolean publishNow() {
        return writeOnce();
    }

    private boolean writeOnce() {
        synchronized (writeLock) {
            try {
                readOperatorWish();
                long start = nanoClock.getAsLong(); // changes from here on are not in this write
                NodeState state = composer.compose(drain.status());
                nodes.publish(state, ttl);
                lastWritten = state;
                synchronized (lock) {
                    policy.written(start);
                }
                if (backoff.failures() > 0) {
                    log.info("Redis reachable again after {} failed writes: node state republished ({} channels, {})",
                            backoff.failures(), state.channelsKnown() ? state.channels() : "unknown",
                            state.status().wireName());
                    backoff.reset();
                }
                announce(state);
                return true;
            } catch (RuntimeException e) {
                Duration delay = backoff.nextDelay();
                synchronized (lock) {
                    policy.failed(nanoClock.getAsLong(), delay);
                }
                log.warn("cannot publish node state to Redis (failure {} in a row): {}; keeping state, retrying in {} ms",
                        backoff.failures(), describe(e), delay.toMillis());
                return false;
            }
        }
    }

    /**
     * Follows the operator's control key. A value that is not a status (a typo such as {@code drainng}) is the
     * operator's mistake, not Redis failing: it is logged once per distinct value and the node keeps its status and
     * goes on publishing, instead of vanishing from the routers after its TTL.
     */
    private void readOperatorWish() {
        try {
            drain.operatorWish(controls.get(nodeId));
            badControl = null;
        } catch (MalformedStateException e) {
            if (!e.getMessage().equals(badControl)) {
                badControl = e.getMessage();
                log.warn("ignoring the operator's control for {}: {}; status stays {}", nodeId, e.getMessage(),
                        drain.status().wireName());
            }
        }
    }

    /**
     * The shared write script announces status changes itself (node-up, node-draining) and removal (node-down). A change
     * of readiness with the same status (Asterisk or ARI lost or back, a service full) is not a status change, yet
     * routers must see it within a second: a {@code node-up} line, which routers treat as "re-read this node"
     * (docs/redis-state.md), is sent for it.
     */
    private void announce(NodeState state) {
        Readiness now = new Readiness(state.status(), state.apps(), state.accepting());
        Readiness before = announced;
        announced = now;
        if (before == null || before.status() != now.status() || before.equals(now)) {
            return;
        }
        try {
            events.publish(new StateEvent(StateEvent.Type.NODE_UP, nodeId, nodeId));
        } catch (RuntimeException e) {
            announced = before; // try again with the next write
            log.warn("cannot announce the readiness change of {}: {}", nodeId, describe(e));
        }
    }

    /** What routers decide on besides the load: whether and for what the node takes calls. */
    private record Readiness(NodeStatus status, java.util.Set<String> apps,
                             java.util.Set<String> accepting) {
    }

    /** Stops publishing; with {@code remove}, deletes the node's state at once and announces node-down. */
    public void close(boolean remove) {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (remove) {
            synchronized (writeLock) {
                try {
                    nodes.remove(nodeId); // announces node-down itself
                    log.info("node state of {} removed from Redis", nodeId);
                } catch (RuntimeException e) {
                    log.warn("cannot remove node state of {} ({}); it expires within {}", nodeId, describe(e), ttl);
                }
            }
        }
    }

    @Override
    public void close() {
        close(true);
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            sb.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append(')');
        }
        return sb.toString();
    }
}
