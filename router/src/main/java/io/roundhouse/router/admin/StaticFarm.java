package io.roundhouse.router.admin;

import io.roundhouse.router.config.StaticNode;
import io.roundhouse.shared.state.DecisionEntry;
import java.util.List;

/**
 * The farm of a router without {@code services:}: round robin over the static nodes, no Redis, so nothing to steer.
 */
public final class StaticFarm implements Farm {

    private final List<StaticNode> nodes;

    public StaticFarm(List<StaticNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    @Override
    public List<NodeReport> nodes() {
        return nodes.stream().map(n -> new NodeReport(n.id(), n.uri(), "ready", true, n.weight(), null, null,
                "unknown", null, null, null, null, null, List.of(), List.of(), java.util.Map.of(), List.of(), null,
                List.of())).toList();
    }

    @Override
    public List<RoomReport> rooms() {
        return List.of();
    }

    @Override
    public List<DecisionEntry> decisions(int limit) {
        return List.of();
    }

    @Override
    public NodeReport control(String nodeId, NodeAction action) {
        throw new AdminException(409, "node controls live in Redis: this router runs static round robin"
                + " (configure services: and redis: for live dispatch)");
    }

    @Override
    public String redis() {
        return "off";
    }
}
