package io.roundhouse.router.admin;

import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.shared.state.DecisionEntry;
import java.util.List;
import java.util.function.Supplier;

/**
 * The farm of a router without {@code services:}: round robin over the static nodes, no Redis, so nothing to steer.
 */
public final class StaticFarm implements Farm {

    private final Supplier<List<StaticNode>> nodes;

    public StaticFarm(List<StaticNode> nodes) {
        List<StaticNode> fixed = List.copyOf(nodes);
        this.nodes = () -> fixed;
    }

    /** A farm whose nodes are read at each request ({@code nodes} follows config reloads). */
    public StaticFarm(Supplier<List<StaticNode>> nodes) {
        this.nodes = nodes;
    }

    @Override
    public List<NodeReport> nodes() {
        return nodes.get().stream().map(n -> new NodeReport(n.id(), n.uri(), "ready", true, n.weight(), null, null,
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
