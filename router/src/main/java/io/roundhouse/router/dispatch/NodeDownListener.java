package io.roundhouse.router.dispatch;

/**
 * Told when a node goes down (OPTIONS probing, or INVITEs left unanswered), so that calls still waiting on it are
 * failed over at once instead of at their own timers (Timer C is minutes). Called on whatever thread found the node
 * down: an implementation hops onto its own event loop and never blocks the caller.
 */
@FunctionalInterface
public interface NodeDownListener {

    void nodeDown(String nodeId);
}
