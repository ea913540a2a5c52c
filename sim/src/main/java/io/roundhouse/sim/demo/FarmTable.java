package io.roundhouse.sim.demo;

import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.sim.farm.SimulatedAsterisk;
import io.roundhouse.sim.node.SimulatedNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's terminal view, read the way an operator reads the farm: node states, room placements and the latest
 * dispatch decisions from Redis (what {@code redis-cli} shows), beside what each simulated node really holds.
 */
final class FarmTable {

    private static final Pattern FIELD = Pattern.compile("(service|key|node|reason|attempt|excluded)=(\\[[^]]*]|\\S+)");
    private static final int STEPS_SHOWN = 6;

    private final RedisState redis;
    private final List<SimulatedAsterisk> nodes;
    private final String header;
    private final Deque<String> steps = new ArrayDeque<>();

    FarmTable(RedisState redis, List<SimulatedAsterisk> nodes, String header) {
        this.redis = redis;
        this.nodes = nodes;
        this.header = header;
    }

    /** A line of the script, shown under the table. */
    synchronized void step(String line) {
        steps.addLast(line);
        while (steps.size() > STEPS_SHOWN) {
            steps.removeFirst();
        }
    }

    synchronized String render() {
        StringBuilder out = new StringBuilder(header).append('\n');
        Map<String, NodeState> published = new TreeMap<>();
        Map<String, String> placements;
        List<String> decisions;
        try {
            redis.nodes().readAll().forEach(n -> published.put(n.id(), n));
            placements = new TreeMap<>(redis.placements().readAll());
            decisions = redis.decisions().recent(8);
        } catch (RuntimeException e) {
            return out.append("Redis unreachable: ").append(e.getMessage()).append('\n').toString();
        }
        out.append(String.format("%n%-11s %-9s %4s %-17s %4s %7s  %s%n", "NODE", "STATUS", "CH", "ACCEPTING", "SIM",
                "BOUNCED", "ROOMS (participants, as published)"));
        for (SimulatedAsterisk asterisk : nodes) {
            SimulatedNode.NodeView view = asterisk.node().view();
            NodeState state = published.get(asterisk.id());
            out.append(String.format("%-11s %-9s %4s %-17s %4d %7d  %s%n", asterisk.id(),
                    state == null ? "(absent)" : state.status().wireName(),
                    state == null ? "-" : Integer.toString(state.channels()),
                    state == null ? "-" : String.join(",", new java.util.TreeSet<>(state.accepting())),
                    view.channels(), view.bounced(), state == null ? "" : new TreeMap<>(state.rooms())));
        }
        out.append(String.format("%n%-24s %s%n", "ROOM (placement key)", "NODE"));
        if (placements.isEmpty()) {
            out.append("(no room placed)\n");
        }
        placements.forEach((key, node) -> out.append(String.format("%-24s %s%n", key, node)));
        out.append("\nLATEST DECISIONS (newest first)\n");
        for (String line : decisions) {
            out.append("  ").append(condensed(line)).append('\n');
        }
        if (decisions.isEmpty()) {
            out.append("  (none yet)\n");
        }
        out.append("\nSCRIPT\n");
        steps.forEach(s -> out.append("  ").append(s).append('\n'));
        return out.toString();
    }

    /** The fields of a decision line that tell its story: service, key, node, reason, attempt, excluded. */
    static String condensed(String line) {
        Matcher m = FIELD.matcher(line);
        List<String[]> fields = new ArrayList<>();
        while (m.find()) {
            fields.add(new String[] {m.group(1), m.group(2)});
        }
        fields.sort(Comparator.comparingInt(f -> List.of("service", "key", "node", "reason", "attempt", "excluded")
                .indexOf(f[0])));
        StringBuilder out = new StringBuilder();
        for (String[] f : fields) {
            if (f[0].equals("excluded") && f[1].equals("[]")) {
                continue;
            }
            out.append(f[0]).append('=').append(f[1]).append(' ');
        }
        return out.toString().strip();
    }
}
