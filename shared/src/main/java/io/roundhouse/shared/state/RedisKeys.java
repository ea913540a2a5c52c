package io.roundhouse.shared.state;

/**
 * The names of every key and channel of the contract under one prefix (see docs/redis-state.md). Nothing else in the
 * package concatenates key names.
 */
record RedisKeys(String prefix) {

    /** Hash: the live state of one node, with a TTL. */
    String node(String nodeId) {
        return prefix + "node:" + nodeId;
    }

    /** Sorted set: node id scored by the expiry of its state (server epoch milliseconds). */
    String nodeIndex() {
        return prefix + "nodes";
    }

    /** Hash: placement key to node id. */
    String placements() {
        return prefix + "placements";
    }

    /** Sorted set: {@code "<node> <service>"} scored by the expiry of the full mark (server epoch milliseconds). */
    String fullMarks() {
        return prefix + "full";
    }

    /** String: the operator's wish for a node. */
    String control(String nodeId) {
        return prefix + "control:" + nodeId;
    }

    /** Pub/sub channel of {@link StateEvent} lines. */
    String events() {
        return prefix + "events";
    }

    /** List: recent dispatch decisions, newest first. */
    String decisions() {
        return prefix + "decisions";
    }
}
