package io.roundhouse.agent.drain;

import io.roundhouse.agent.state.NodeLoad;
import io.roundhouse.agent.state.StateChangeListener;
import io.roundhouse.shared.state.NodeStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the node's administrative status from the operator's wish in Redis ({@code NodeControls}), a SIGTERM, and
 * the live channel count:
 * <ul>
 *   <li>operator {@code disabled}: {@link NodeStatus#DISABLED};</li>
 *   <li>operator {@code draining}, or a SIGTERM: {@link NodeStatus#DRAINING} while calls remain, then
 *       {@link NodeStatus#DRAINED} once AMI reports zero channels (an unreachable Asterisk cannot confirm that, so
 *       the node stays draining, and a SIGTERM ends after {@code drain.unreachable-timeout} of unknown count, see
 *       {@link #awaitDrained});</li>
 *   <li>otherwise (control cleared or {@code active}): {@link NodeStatus#ACTIVE}. A SIGTERM cannot be undone.</li>
 * </ul>
 * Thread-safe; {@link #stateChanged()} must be called whenever the load may have changed.
 */
public final class DrainControl implements StateChangeListener {

    private static final Logger log = LoggerFactory.getLogger(DrainControl.class);

    private final NodeLoad load;
    private final StateChangeListener onStatusChange;
    private final LongSupplier nanoClock;
    private NodeStatus operatorWish = NodeStatus.ACTIVE;
    private boolean shuttingDown;
    private NodeStatus last = NodeStatus.ACTIVE;

    /**
     * @param onStatusChange told when the status changes (the publisher)
     * @param nanoClock      monotonic clock for the drain timeout ({@code System::nanoTime})
     */
    public DrainControl(NodeLoad load, StateChangeListener onStatusChange, LongSupplier nanoClock) {
        this.load = load;
        this.onStatusChange = onStatusChange;
        this.nanoClock = nanoClock;
    }

    /** The operator's control as read from Redis; empty when none is set (the node's default: active). */
    public void operatorWish(Optional<NodeStatus> wanted) {
        NodeStatus wish = wanted.map(w -> w == NodeStatus.DRAINED ? NodeStatus.DRAINING : w).orElse(NodeStatus.ACTIVE);
        synchronized (this) {
            if (wish == operatorWish) {
                return;
            }
            log.info("operator control for this node: {} (was {})", wish.wireName(), operatorWish.wireName());
            operatorWish = wish;
        }
        stateChanged();
    }

    /** SIGTERM: advertise draining, keep serving, and let {@link #awaitDrained} tell when the last call ended. */
    public void shutdownRequested() {
        synchronized (this) {
            if (shuttingDown) {
                return;
            }
            shuttingDown = true;
        }
        log.info("shutdown requested: draining ({} channels)",
                load.asteriskReachable() ? load.channels() : "unknown: Asterisk not reachable over AMI,");
        stateChanged();
    }

    /** The status to publish now. */
    public synchronized NodeStatus status() {
        if (operatorWish == NodeStatus.DISABLED) {
            return NodeStatus.DISABLED;
        }
        if (shuttingDown || operatorWish == NodeStatus.DRAINING) {
            return load.asteriskReachable() && load.channels() == 0 ? NodeStatus.DRAINED : NodeStatus.DRAINING;
        }
        return NodeStatus.ACTIVE;
    }

    /** How a shutdown drain ended. */
    public enum Outcome {
        /** AMI reported zero channels. */
        DRAINED,
        /** {@code drain.timeout} passed with channels still up. */
        TIMED_OUT,
        /** The channel count was unknown (AMI unreachable) for {@code drain.unreachable-timeout} in a row. */
        COUNT_UNKNOWN
    }

    /**
     * Waits until the node is drained, or {@code timeout} passed, or the channel count has been unknown for
     * {@code unknownTimeout} in a row. The rule for the unknown count: an Asterisk that does not answer AMI cannot
     * confirm a drain, so waiting the whole timeout would only delay a restart; the calls it may still carry go on
     * without the agent (ARI bridges live in Asterisk), and the log says the count was unknown rather than zero.
     * Woken by {@link #stateChanged()}, never by polling.
     */
    public Outcome awaitDrained(Duration timeout, Duration unknownTimeout) throws InterruptedException {
        long start = nanoClock.getAsLong();
        long deadline = start + timeout.toNanos();
        long unknownSince = 0;
        boolean unknown = false;
        synchronized (this) {
            while (status() != NodeStatus.DRAINED) {
                long now = nanoClock.getAsLong();
                if (load.asteriskReachable()) {
                    unknown = false;
                } else if (!unknown) {
                    unknown = true;
                    unknownSince = now;
                    log.warn("drain: channel count unknown (Asterisk not reachable over AMI); waiting up to {} for it",
                            unknownTimeout);
                }
                if (unknown && now - unknownSince >= unknownTimeout.toNanos()) {
                    log.warn("drain: channel count unknown for {} (Asterisk not reachable over AMI): stopping without"
                            + " waiting drain.timeout; calls Asterisk may still carry were not counted", unknownTimeout);
                    return Outcome.COUNT_UNKNOWN;
                }
                long left = deadline - now;
                if (left <= 0) {
                    log.warn("drain timeout {} reached with {} channels still up", timeout, load.channels());
                    return Outcome.TIMED_OUT;
                }
                if (unknown) {
                    left = Math.min(left, unknownSince + unknownTimeout.toNanos() - now);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
        return Outcome.DRAINED;
    }

    @Override
    public void stateChanged() {
        NodeStatus now;
        boolean changed;
        synchronized (this) {
            now = status();
            changed = now != last;
            last = now;
            notifyAll();
        }
        if (changed) {
            log.info("node status: {}", now.wireName());
            onStatusChange.stateChanged();
        }
    }
}
