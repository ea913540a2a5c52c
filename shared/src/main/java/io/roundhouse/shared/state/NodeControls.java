package io.roundhouse.shared.state;

import java.util.Optional;

/**
 * The operator's wish for a node ({@code redis-cli SET <prefix>control:<node> draining}). Agents follow it and
 * publish the resulting {@link NodeStatus}; it has no TTL.
 */
public interface NodeControls {

    void set(String nodeId, NodeStatus wanted);

    Optional<NodeStatus> get(String nodeId);

    /** Returns the node to its default (active). */
    void clear(String nodeId);
}
