package io.roundhouse.router.admin;

import io.roundhouse.shared.state.DecisionEntry;
import java.util.List;

/** The router's picture of the farm as the admin API reports and steers it. Called on the admin thread only. */
public interface Farm {

    /** Every node the router knows, static and agent-published. */
    List<NodeReport> nodes();

    /** Room placements with their nodes. */
    List<RoomReport> rooms();

    /** The newest decisions, newest first. */
    List<DecisionEntry> decisions(int limit);

    /**
     * Applies an operator's verb; returns the node as reported afterwards.
     *
     * @throws AdminException 404 for an unknown node, 409 when the verb does not apply, 503 when Redis is unreachable
     */
    NodeReport control(String nodeId, NodeAction action);

    /** {@code up}, {@code down} (dispatching on the last known view) or {@code off} (no Redis configured). */
    String redis();
}
