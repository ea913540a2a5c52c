package io.roundhouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roundhouse.shared.state.DecisionEntry;
import io.roundhouse.shared.state.MalformedStateException;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.state.StateStoreException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The farm read straight from Redis ({@code --redis URL}), so it can be inspected and steered with no router running.
 * It knows what agents publish: nodes with a live state, their controls and full marks, placements, decisions. What
 * only a router knows (static nodes without an agent, OPTIONS health, scores) is absent, and reload needs a router.
 */
final class RedisFarm implements FarmSource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RedisState state;
    private final LongSupplier wallClock;

    RedisFarm(RedisState state, LongSupplier wallClock) {
        this.state = state;
        this.wallClock = wallClock;
    }

    @Override
    public JsonNode nodes() {
        return redis(() -> {
            List<NodeState> nodes = state.nodes().readAll().stream()
                    .sorted(java.util.Comparator.comparing(NodeState::id)).toList();
            Map<String, NodeStatus> controls = state.controls().readAll(nodes.stream().map(NodeState::id).toList());
            Map<String, Set<String>> full = state.marks().readAll();
            ArrayNode out = JSON.createArrayNode();
            for (NodeState n : nodes) {
                out.add(node(n, Optional.ofNullable(controls.get(n.id())), full.getOrDefault(n.id(), Set.of())));
            }
            return out;
        });
    }

    private ObjectNode node(NodeState n, Optional<NodeStatus> control, Set<String> full) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", n.id());
        o.put("uri", n.sipUri());
        o.put("state", state(n.status(), control));
        o.put("configured", false);
        o.put("weight", 1);
        o.put("status", n.status().wireName());
        o.put("control", control.map(NodeStatus::wireName).orElse(null));
        o.putNull("health");
        o.putNull("last-probe");
        // As the admin API: a count the agent does not know (Asterisk unreachable, CPU not sampled yet) is null, not 0.
        o.put("channels", n.channelsKnown() ? n.channels() : null);
        o.put("max-channels", n.maxChannels());
        o.put("cpu", n.cpuKnown() ? n.cpuPercent() : null);
        o.set("apps", JSON.valueToTree(new TreeSet<>(n.apps())));
        o.set("accepting", JSON.valueToTree(new TreeSet<>(n.accepting())));
        o.set("rooms", JSON.valueToTree(new TreeMap<>(n.rooms())));
        o.set("full", JSON.valueToTree(new TreeSet<>(full)));
        o.put("updated-age-seconds", Math.max(0, wallClock.getAsLong() - n.updatedAtMillis()) / 1000.0);
        o.set("services", JSON.createArrayNode());
        return o;
    }

    /** As a router reports it: the stricter of the published status and the control (docs/dispatch.md). */
    private static String state(NodeStatus published, Optional<NodeStatus> control) {
        NodeStatus s = control.isPresent() && control.get().compareTo(published) > 0 ? control.get() : published;
        return switch (s) {
            case ACTIVE -> "ready";
            case DRAINING, DRAINED -> "draining";
            case DISABLED -> "disabled";
            case UNREACHABLE -> "down";
        };
    }

    @Override
    public JsonNode rooms() {
        return redis(() -> {
            Map<String, String> placed = new TreeMap<>(state.placements().readAll());
            Map<String, NodeState> byId = new TreeMap<>();
            state.nodes().readAll().forEach(n -> byId.put(n.id(), n));
            ArrayNode out = JSON.createArrayNode();
            placed.forEach((key, node) -> {
                ObjectNode o = out.addObject();
                o.put("key", key);
                o.put("node", node);
                NodeState n = byId.get(node);
                if (n == null) {
                    o.putNull("participants");
                    o.put("node-state", "gone");
                } else if (n.status() == NodeStatus.UNREACHABLE) {
                    o.putNull("participants"); // unknown: its agent publishes no rooms while Asterisk is unreachable
                    o.put("node-state", state(n.status(), Optional.empty()));
                } else {
                    int colon = key.lastIndexOf(':');
                    String name = colon < 0 ? key : key.substring(colon + 1);
                    o.put("participants", Math.max(n.rooms().getOrDefault(key, 0), n.rooms().getOrDefault(name, 0)));
                    o.put("node-state", state(n.status(), Optional.empty()));
                }
            });
            return out;
        });
    }

    @Override
    public JsonNode decisions(int limit) {
        return redis(() -> {
            ArrayNode out = JSON.createArrayNode();
            for (String line : state.decisions().recent(limit)) {
                ObjectNode o = out.addObject();
                DecisionEntry.parse(line).fields().forEach(o::put);
                o.put("line", line);
            }
            return out;
        });
    }

    @Override
    public JsonNode control(String node, String verb) {
        return redis(() -> {
            Map<String, NodeState> live = new TreeMap<>();
            state.nodes().readAll().forEach(n -> live.put(n.id(), n));
            NodeState n = live.get(node);
            if (n == null) {
                throw new CliException(CliException.UNKNOWN_NODE, "unknown node " + node + " (known in Redis: "
                        + (live.isEmpty() ? "none" : String.join(", ", live.keySet())) + "; a static node without an"
                        + " agent is known only to routers: use --admin)");
            }
            Optional<NodeStatus> current;
            try {
                current = state.controls().get(node);
            } catch (MalformedStateException mistyped) {
                current = Optional.empty();
            }
            switch (verb) {
                case "drain" -> state.controls().set(node, NodeStatus.DRAINING);
                case "disable" -> state.controls().set(node, NodeStatus.DISABLED);
                case "enable" -> state.controls().clear(node);
                case "undrain" -> {
                    if (current.isPresent() && current.get() == NodeStatus.DISABLED) {
                        throw new CliException(CliException.UNREACHABLE, "node " + node
                                + " is disabled, not draining (use enable)");
                    }
                    state.controls().clear(node);
                }
                default -> throw new IllegalArgumentException("verb " + verb);
            }
            Optional<NodeStatus> after = state.controls().get(node);
            return node(n, after, state.marks().fullServices(node));
        });
    }

    @Override
    public JsonNode reload() {
        throw new CliException(CliException.UNREACHABLE, "reload re-reads a router's configuration: use --admin URL,"
                + " not --redis");
    }

    private <T> T redis(Supplier<T> work) {
        try {
            return work.get();
        } catch (StateStoreException e) {
            throw new CliException(CliException.UNREACHABLE, "cannot read Redis: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        state.close();
    }
}
