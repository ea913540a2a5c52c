package io.roundhouse.router.health;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the router knows of each node's health, in both dispatch modes: OPTIONS probing (active, {@link HealthProber})
 * and the INVITEs themselves (passive, {@link PassiveHealth}); and the one place that tells listeners a node went
 * down, so that calls still on it need not wait for their own timers.
 */
public final class FarmHealth {

    private static final Logger LOG = LoggerFactory.getLogger(FarmHealth.class);

    private final Function<String, HealthState> probed;
    /** The nodes probing may hold down now, or null when only {@link #probed} knows (every node is then suspect). */
    private final Supplier<? extends Collection<String>> probedDown;
    private final Supplier<? extends Collection<String>> nodeIds;
    private final PassiveHealth passive;
    private final List<Consumer<String>> downListeners = new CopyOnWriteArrayList<>();

    /**
     * @param probed       a node's state by OPTIONS probing (always {@code UP} when probing is off)
     * @param nodeIds      the ids of every node of the farm now (a passive hold never takes the last node out)
     * @param timeoutsDown INVITE timeouts in a row that hold a node down
     * @param trialEvery   time between two trial calls to a node held down
     * @param nanoClock    monotonic clock
     */
    public FarmHealth(Function<String, HealthState> probed, Supplier<? extends Collection<String>> nodeIds,
                      int timeoutsDown, Duration trialEvery, LongSupplier nanoClock) {
        this(probed, null, nodeIds, timeoutsDown, trialEvery, nanoClock);
    }

    /**
     * Health from OPTIONS probing, which also says which nodes it holds down ({@link HealthProber#downNodes}): a call
     * then asks about those few nodes only ({@link #suspects}), not about every node of the farm.
     */
    public FarmHealth(HealthProber prober, Supplier<? extends Collection<String>> nodeIds, int timeoutsDown,
                      Duration trialEvery, LongSupplier nanoClock) {
        this(prober::state, prober::downNodes, nodeIds, timeoutsDown, trialEvery, nanoClock);
    }

    private FarmHealth(Function<String, HealthState> probed, Supplier<? extends Collection<String>> probedDown,
                       Supplier<? extends Collection<String>> nodeIds, int timeoutsDown, Duration trialEvery,
                       LongSupplier nanoClock) {
        this.probed = probed;
        this.probedDown = probedDown;
        this.nodeIds = nodeIds;
        this.passive = new PassiveHealth(timeoutsDown, trialEvery, nanoClock, this::down);
    }

    /** Live reload of the passive thresholds ({@code health.invite-timeouts}, {@code health.trial-every}). */
    public void reconfigure(HealthSettings settings) {
        passive.reconfigure(settings.inviteTimeouts(), settings.trialEvery());
    }

    /** Health without probing (every node counts as up by OPTIONS), passive health at its defaults. */
    public static FarmHealth unprobed(Supplier<? extends Collection<String>> nodeIds, LongSupplier nanoClock) {
        return new FarmHealth(id -> HealthState.UP, Set::of, nodeIds, PassiveHealth.DEFAULT_TIMEOUTS_DOWN,
                PassiveHealth.DEFAULT_TRIAL_EVERY, nanoClock);
    }

    /**
     * The only nodes {@link #whyNot} may answer non-null for now: those probing holds down and those with INVITE
     * timeouts counted (usually none). Null when this health cannot tell (built on a bare probing function): every
     * node must then be asked.
     */
    public Collection<String> suspects() {
        if (probedDown == null) {
            return null;
        }
        Collection<String> down = probedDown.get();
        Set<String> silent = passive.counted();
        if (silent.isEmpty()) {
            return down;
        }
        if (down.isEmpty()) {
            return silent;
        }
        Set<String> both = new java.util.HashSet<>(down);
        both.addAll(silent);
        return both;
    }

    /**
     * Null when the node may take calls; otherwise why not, for the decision log: {@code down} (OPTIONS probing) or
     * {@code invite-timeouts} (held down passively, no trial due, and another node takes calls).
     *
     * <p>A passive hold is a preference, never the last word: when no other node takes calls, a held node does. A
     * caller can make a node leave INVITEs unanswered (a request the node's stack silently drops), and must not be
     * able to turn the farm off that way; a node that really swallows calls then costs the failover timeout, as before.
     */
    public String whyNot(String nodeId) {
        if (!probed.apply(nodeId).takesCalls()) {
            return "down";
        }
        return passive.holds(nodeId) && anotherTakesCalls(nodeId) ? "invite-timeouts" : null;
    }

    private boolean anotherTakesCalls(String nodeId) {
        for (String other : nodeIds.get()) {
            if (!other.equals(nodeId) && probed.apply(other).takesCalls() && !passive.holds(other)) {
                return true;
            }
        }
        return false;
    }

    /** True when the node may take calls now. */
    public boolean takesCalls(String nodeId) {
        return whyNot(nodeId) == null;
    }

    /** True when the node is down by probing or held down passively (trial due or not): for gauges. */
    public boolean isDown(String nodeId) {
        return probed.apply(nodeId) == HealthState.DOWN || passive.isHeld(nodeId);
    }

    /**
     * An INVITE sent to the node got no answer. Ignored while probing holds the node down: a dead node is probing's
     * business, and passive health is for nodes that answer OPTIONS but not INVITEs.
     */
    public void inviteTimedOut(String nodeId) {
        if (probed.apply(nodeId) != HealthState.DOWN) {
            passive.inviteTimedOut(nodeId);
        }
    }

    /** The node answered an INVITE with a final response. */
    public void inviteAnswered(String nodeId) {
        passive.inviteAnswered(nodeId);
    }

    /** An INVITE goes to the node (the trial call of a node held down, when one is due). */
    public void inviteSent(String nodeId) {
        passive.chosen(nodeId);
    }

    /**
     * Probing has just found the node DOWN. What its INVITEs did before is forgotten (when it returns it is judged
     * afresh, so a node restarted after a crash is not held for a trial call), and listeners are told.
     */
    public void probedDown(String nodeId) {
        passive.forget(nodeId);
        down(nodeId);
    }

    /** Registers a listener told the id of each node that goes down, on the thread that found it (never blocked). */
    public void onNodeDown(Consumer<String> listener) {
        downListeners.add(listener);
    }

    private void down(String nodeId) {
        for (Consumer<String> l : downListeners) {
            try {
                l.accept(nodeId);
            } catch (RuntimeException e) {
                LOG.warn("node-down listener failed for {}: {}", nodeId, e.toString(), e);
            }
        }
    }
}
