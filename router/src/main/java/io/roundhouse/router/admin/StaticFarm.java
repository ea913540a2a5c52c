package io.roundhouse.router.admin;

import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.health.HealthProber;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.health.NodeHealth;
import io.roundhouse.shared.state.DecisionEntry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The farm of a router without {@code services:}: round robin over the static nodes with OPTIONS probing, no Redis,
 * so nothing to steer.
 */
public final class StaticFarm implements Farm {

    private final Supplier<List<StaticNode>> nodes;
    private final HealthProber prober;
    private final LongSupplier wallClock;

    /**
     * @param nodes     read at each request, so that it follows config reloads
     * @param prober    the round robin's probing: each node's health and probe results
     * @param wallClock epoch milliseconds, to date the last probes
     */
    public StaticFarm(Supplier<List<StaticNode>> nodes, HealthProber prober, LongSupplier wallClock) {
        this.nodes = nodes;
        this.prober = prober;
        this.wallClock = wallClock;
    }

    /** With the system's clock. */
    public StaticFarm(Supplier<List<StaticNode>> nodes, HealthProber prober) {
        this(nodes, prober, System::currentTimeMillis);
    }

    @Override
    public List<NodeReport> nodes() {
        long now = wallClock.getAsLong();
        return nodes.get().stream().map(n -> {
            HealthState health = prober.state(n.id());
            Optional<NodeHealth> probing = prober.health(n.id());
            return new NodeReport(n.id(), n.uri(), health.takesCalls() ? "ready" : "down", true, n.weight(), null,
                    null, health.name().toLowerCase(Locale.ROOT), probing.map(NodeHealth::misses).orElse(null),
                    probing.map(NodeHealth::goods).orElse(null),
                    prober.lastProbe(n.id()).map(r -> NodeReport.LastProbe.of(r, now)).orElse(null),
                    null, null, null, List.of(), List.of(), Map.of(),
                    List.of(), null, List.of());
        }).toList();
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
