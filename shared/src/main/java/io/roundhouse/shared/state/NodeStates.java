package io.roundhouse.shared.state;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Node heartbeats: each agent publishes its {@link NodeState} with a TTL; routers read them. */
public interface NodeStates {

    /** Writes the node's state; it disappears by itself after {@code ttl} unless published again. */
    void publish(NodeState state, Duration ttl);

    /** The node's state, or empty when it was never published or its TTL ran out. */
    Optional<NodeState> read(String nodeId);

    /** Every node whose state has not expired. */
    List<NodeState> readAll();

    /** Removes the node's state at once (an agent shutting down cleanly). */
    void remove(String nodeId);
}
