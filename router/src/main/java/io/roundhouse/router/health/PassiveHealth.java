package io.roundhouse.router.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health judged from the calls themselves (Kamailio's {@code ds_mark_dst} in a failure route): a node that lets
 * {@code timeoutsDown} INVITEs in a row go unanswered (no 101-699 within the failover timeout, Timer B, or a transport
 * error) is held down, although it may answer OPTIONS all along: its SIP stack is alive while its dialplan or its
 * application swallows calls. Without this, every call sent there pays the whole failover timeout, forever.
 *
 * <p>Hysteresis: OPTIONS cannot bring such a node back, since it answered them throughout. Only an answer to an INVITE
 * can, and an INVITE must reach the node for that: a held node gets one trial call every {@code trialEvery}. Any final
 * response to it (even a 5xx: the INVITE path works) puts the node back in service; another timeout holds it for one
 * more period. A trial whose outcome never comes (the caller vanished) is followed by another trial a period later.
 *
 * <p>Called on the event loop (outcomes, choices) and read by dispatch; the state is a small concurrent map holding
 * only nodes with recent timeouts, so the per-call cost of a healthy farm is one lookup in an empty map.
 */
public final class PassiveHealth {

    private static final Logger LOG = LoggerFactory.getLogger(PassiveHealth.class);

    /**
     * Default INVITE timeouts in a row that hold a node down: one lost INVITE or a slow moment must not take a node
     * out, three in a row with no answer in between is a pattern (as {@code health.down-after} for OPTIONS); the
     * cost until then is bounded by three failover timeouts.
     */
    public static final int DEFAULT_TIMEOUTS_DOWN = 3;
    /**
     * Default time between two trial calls to a held node: a trial costs its caller at most one failover timeout
     * (it is then failed over), so 30 s bounds that to two calls a minute per silent node, and a repaired node is back
     * in service within 30 s.
     */
    public static final Duration DEFAULT_TRIAL_EVERY = Duration.ofSeconds(30);

    /** A node with INVITE timeouts: how many in a row, whether it is held down, and when its next trial is due. */
    private record Silence(int timeouts, boolean held, long trialDueNanos) {}

    private volatile int timeoutsDown;
    private volatile Duration trialEvery;
    private final LongSupplier nanoClock;
    private final Consumer<String> onHeld;
    private final Map<String, Silence> nodes = new ConcurrentHashMap<>();

    /**
     * @param timeoutsDown INVITE timeouts in a row that hold a node down (at least 1)
     * @param trialEvery   time between two trial calls to a held node
     * @param nanoClock    monotonic clock
     * @param onHeld       told the id of a node that has just been held down (on the calling thread)
     */
    public PassiveHealth(int timeoutsDown, Duration trialEvery, LongSupplier nanoClock, Consumer<String> onHeld) {
        if (timeoutsDown < 1) {
            throw new IllegalArgumentException("timeoutsDown " + timeoutsDown + " (expected: at least 1)");
        }
        this.timeoutsDown = timeoutsDown;
        this.trialEvery = trialEvery;
        this.nanoClock = nanoClock;
        this.onHeld = onHeld;
    }

    /** Live reload: new thresholds count from the next outcome on; nodes held now keep their trial time. */
    public void reconfigure(int newTimeoutsDown, Duration newTrialEvery) {
        if (newTimeoutsDown < 1) {
            throw new IllegalArgumentException("timeoutsDown " + newTimeoutsDown + " (expected: at least 1)");
        }
        timeoutsDown = newTimeoutsDown;
        trialEvery = newTrialEvery;
    }

    /** An INVITE sent to the node got no answer (failover timeout, Timer B, transport error). */
    public void inviteTimedOut(String nodeId) {
        long now = nanoClock.getAsLong();
        boolean[] heldNow = new boolean[1];
        Silence s = nodes.compute(nodeId, (id, before) -> {
            int timeouts = before == null ? 1 : before.timeouts() + 1;
            if (before != null && before.held()) {
                return new Silence(timeouts, true, now + trialEvery.toNanos()); // a failed trial: one more period
            }
            heldNow[0] = timeouts >= timeoutsDown;
            return new Silence(timeouts, heldNow[0], heldNow[0] ? now + trialEvery.toNanos() : 0);
        });
        if (heldNow[0]) {
            LOG.warn("node {} is DOWN: {} INVITEs in a row got no answer (it may still answer OPTIONS); one trial"
                    + " call every {} s until it answers one", nodeId, s.timeouts(), trialEvery.toSeconds());
            onHeld.accept(nodeId);
        } else if (s.held()) {
            LOG.debug("node {}: trial INVITE got no answer, held for {} s more", nodeId, trialEvery.toSeconds());
        }
    }

    /** The node answered an INVITE with a final response: it takes calls, and the count starts again. */
    public void inviteAnswered(String nodeId) {
        if (nodes.isEmpty()) {
            return; // the healthy farm's whole cost
        }
        Silence before = nodes.remove(nodeId);
        if (before != null && before.held()) {
            LOG.info("node {} is UP: it answered an INVITE again (trial call)", nodeId);
        }
    }

    /** Forgets what the node's INVITEs did (it was found dead by probing: when it returns, it is judged afresh). */
    public void forget(String nodeId) {
        nodes.remove(nodeId);
    }

    /** True while the node is held down and no trial call is due. */
    public boolean holds(String nodeId) {
        if (nodes.isEmpty()) {
            return false;
        }
        Silence s = nodes.get(nodeId);
        return s != null && s.held() && nanoClock.getAsLong() - s.trialDueNanos() < 0;
    }

    /** The nodes with INVITE timeouts counted (held down or on their way to it): usually none. A live view. */
    public java.util.Set<String> counted() {
        return java.util.Collections.unmodifiableSet(nodes.keySet());
    }

    /** True while the node is held down, trial due or not (for gauges and operators). */
    public boolean isHeld(String nodeId) {
        Silence s = nodes.get(nodeId);
        return s != null && s.held();
    }

    /** A call was sent to the node: if it is held and its trial was due, this call is the trial. */
    public void chosen(String nodeId) {
        if (nodes.isEmpty()) {
            return;
        }
        long now = nanoClock.getAsLong();
        nodes.computeIfPresent(nodeId, (id, s) -> {
            if (!s.held() || now - s.trialDueNanos() < 0) {
                return s;
            }
            LOG.info("node {}: trial call (held down after {} INVITEs without an answer)", id, s.timeouts());
            return new Silence(s.timeouts(), true, now + trialEvery.toNanos());
        });
    }
}
