package io.roundhouse.router.admin;

import io.roundhouse.router.dispatch.Assessment;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.dispatch.view.NodeEntry;
import io.roundhouse.router.dispatch.view.NodeView;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.health.NodeHealth;
import io.roundhouse.shared.state.DecisionEntry;
import io.roundhouse.shared.state.DecisionLog;
import io.roundhouse.shared.state.MalformedStateException;
import io.roundhouse.shared.state.NodeControls;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.StateStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The farm of a router with live dispatch: its node view, probing and scores in memory; controls, placements and
 * decisions in Redis.
 */
public final class LiveFarm implements Farm {

    private final DispatchSetup dispatch;
    private final LongSupplier wallClock;

    public LiveFarm(DispatchSetup dispatch, LongSupplier wallClock) {
        this.dispatch = dispatch;
        this.wallClock = wallClock;
    }

    @Override
    public List<NodeReport> nodes() {
        NodeView v = dispatch.view().current();
        Map<String, List<NodeReport.ServiceScore>> scores = scores();
        List<NodeReport> out = new ArrayList<>();
        for (NodeEntry n : v.nodes()) {
            out.add(report(n, scores.getOrDefault(n.id(), List.of())));
        }
        return out;
    }

    private Map<String, List<NodeReport.ServiceScore>> scores() {
        Map<String, List<NodeReport.ServiceScore>> byNode = new TreeMap<>();
        for (Assessment a : dispatch.dispatcher().assess()) {
            byNode.computeIfAbsent(a.node(), k -> new ArrayList<>()).add(new NodeReport.ServiceScore(a.service(),
                    a.eligible() ? Math.round(a.score() * 1000) / 1000.0 : null, a.scoreMeaning(), a.whyNot()));
        }
        return byNode;
    }

    private NodeReport report(NodeEntry n, List<NodeReport.ServiceScore> services) {
        HealthState health = dispatch.prober().state(n.id());
        Optional<NodeHealth> probing = dispatch.prober().health(n.id());
        Optional<NodeState> a = n.agent();
        long now = wallClock.getAsLong();
        return new NodeReport(n.id(), n.sipUri(), state(n, health), n.configured(), n.weight(),
                a.map(s -> s.status().wireName()).orElse(null), n.control().map(NodeStatus::wireName).orElse(null),
                health.name().toLowerCase(Locale.ROOT), probing.map(NodeHealth::misses).orElse(null),
                probing.map(NodeHealth::goods).orElse(null),
                dispatch.prober().lastProbe(n.id()).map(r -> NodeReport.LastProbe.of(r, now)).orElse(null),
                // An agent that cannot count (Asterisk unreachable, CPU not sampled yet) publishes 0: report unknown.
                a.filter(NodeState::channelsKnown).map(NodeState::channels).orElse(null),
                a.map(NodeState::maxChannels).orElse(null),
                a.filter(NodeState::cpuKnown).map(NodeState::cpuPercent).orElse(null),
                a.map(s -> List.copyOf(new TreeSet<>(s.apps()))).orElse(List.of()),
                a.map(s -> List.copyOf(new TreeSet<>(s.accepting()))).orElse(List.of()),
                a.map(s -> (Map<String, Integer>) new TreeMap<>(s.rooms())).orElse(Map.of()),
                List.copyOf(new TreeSet<>(n.fullServices())),
                a.map(s -> Math.max(0, now - s.updatedAtMillis()) / 1000.0).orElse(null),
                services);
    }

    /** The four states of an operator's view, after HAProxy's (UP, DRAIN, MAINT, DOWN). */
    private String state(NodeEntry n, HealthState health) {
        if (!health.takesCalls() || (n.agent().isEmpty() && dispatch.settings().requireAgent())) {
            return "down";
        }
        return switch (n.status().orElse(NodeStatus.ACTIVE)) {
            case ACTIVE -> "ready";
            case DRAINING, DRAINED -> "draining";
            case DISABLED -> "disabled";
            case UNREACHABLE -> "down";
        };
    }

    @Override
    public List<RoomReport> rooms() {
        Map<String, String> placed;
        try {
            placed = new TreeMap<>(dispatch.state().placements().readAll());
        } catch (StateStoreException e) {
            throw unreachable(e);
        }
        NodeView v = dispatch.view().current();
        List<RoomReport> out = new ArrayList<>();
        placed.forEach((key, nodeId) -> {
            Optional<NodeEntry> node = v.node(nodeId);
            // Unknown (null), not 0, while the node's agent cannot reach its Asterisk: it publishes no rooms then.
            Integer participants = node.flatMap(NodeEntry::agent).filter(a -> a.status() != NodeStatus.UNREACHABLE)
                    .map(a -> participants(a, key)).orElse(null);
            String state = node.map(n -> state(n, dispatch.prober().state(n.id()))).orElse("gone");
            out.add(new RoomReport(key, nodeId, participants, state));
        });
        return out;
    }

    /** Agents publish a room by placement key, or by its bare name (the key after its tenant part). */
    private static int participants(NodeState a, String key) {
        int colon = key.lastIndexOf(':');
        String name = colon < 0 ? key : key.substring(colon + 1);
        return Math.max(a.rooms().getOrDefault(key, 0), a.rooms().getOrDefault(name, 0));
    }

    @Override
    public List<DecisionEntry> decisions(int limit) {
        DecisionLog history = dispatch.state().history();
        if (history == null) {
            return List.of();
        }
        try {
            return history.recent(limit).stream().map(DecisionEntry::parse).toList();
        } catch (StateStoreException e) {
            throw unreachable(e);
        }
    }

    @Override
    public NodeReport control(String nodeId, NodeAction action) {
        NodeView v = dispatch.view().current();
        if (v.node(nodeId).isEmpty()) {
            throw new AdminException(404, "unknown node " + nodeId + " (known: " + String.join(", ",
                    v.byId().keySet()) + ")");
        }
        NodeControls controls = dispatch.state().controls();
        try {
            Optional<NodeStatus> current;
            try {
                current = controls.get(nodeId);
            } catch (MalformedStateException mistyped) {
                current = Optional.empty(); // overwritten by this verb
            }
            Optional<NodeStatus> next = action.apply(nodeId, current);
            if (next.isPresent()) {
                controls.set(nodeId, next.get());
            } else {
                controls.clear(nodeId);
            }
        } catch (StateStoreException e) {
            throw unreachable(e);
        }
        // This router obeys before answering; the others on the control's event, or at their next refresh.
        dispatch.view().refresh();
        NodeEntry after = dispatch.view().current().node(nodeId).orElseThrow();
        return report(after, scores().getOrDefault(nodeId, List.of()));
    }

    @Override
    public String redis() {
        return dispatch.view().redisStatus().isUp() ? "up" : "down";
    }

    private static AdminException unreachable(StateStoreException e) {
        return new AdminException(503, "Redis unreachable: " + e.getMessage());
    }
}
