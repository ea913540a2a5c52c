package io.roundhouse.shared.state;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's wish for a node ({@code redis-cli SET <prefix>control:<node> draining}). Agents follow it and
 * publish the resulting {@link NodeStatus}; routers obey it too, at once, so that a node without an agent (or whose
 * agent lags) can be drained or disabled. It has no TTL.
 */
public interface NodeControls {

    /** Stores the wish and announces it ({@code node-draining <node>}, or {@code node-up} for active). */
    void set(String nodeId, NodeStatus wanted);

    Optional<NodeStatus> get(String nodeId);

    /**
     * The wishes of the given nodes in one round trip; nodes without one are absent. A value an operator mistyped is
     * left out and logged, so one bad key cannot blind a router.
     */
    Map<String, NodeStatus> readAll(Collection<String> nodeIds);

    /** Returns the node to its default (active) and announces it ({@code node-up <node>}). */
    void clear(String nodeId);
}
