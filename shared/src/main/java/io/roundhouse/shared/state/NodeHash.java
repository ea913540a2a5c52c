package io.roundhouse.shared.state;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A {@link NodeState} as the fields of one Redis hash, so that {@code HGETALL} shows it as an operator would write it:
 * {@code id uri status channels max_channels cpu apps accepting asterisk_version agent_version updated_at}
 * ({@code channels} and {@code cpu} may be {@code unknown}), plus one
 * {@code room:<name>} field per hosted conference room holding its participant count.
 */
final class NodeHash {

    static final String ROOM_PREFIX = "room:";
    /** The value of {@code channels} or {@code cpu} that the agent cannot measure now (rather than a stale number). */
    static final String UNKNOWN = "unknown";

    private NodeHash() {
    }

    static Map<String, String> encode(NodeState s) {
        ContractNames.requireWord("node id", s.id());
        if (s.channels() < 0 || s.maxChannels() < 0) {
            throw new IllegalArgumentException("node " + s.id() + ": channels " + s.channels() + ", max channels "
                    + s.maxChannels() + " (expected: 0 or more)");
        }
        if (!Double.isFinite(s.cpuPercent()) || s.cpuPercent() < 0) {
            throw new IllegalArgumentException("node " + s.id() + ": cpu " + s.cpuPercent() + " (expected: a finite percentage, 0 or more)");
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("id", s.id());
        h.put("uri", s.sipUri());
        h.put("status", s.status().wireName());
        h.put("channels", s.channelsKnown() ? Integer.toString(s.channels()) : UNKNOWN);
        h.put("max_channels", Integer.toString(s.maxChannels()));
        h.put("cpu", s.cpuKnown() ? Double.toString(s.cpuPercent()) : UNKNOWN);
        h.put("apps", commaList("node " + s.id() + ": app", s.apps()));
        h.put("accepting", commaList("node " + s.id() + ": accepting service", s.accepting()));
        h.put("asterisk_version", s.asteriskVersion());
        h.put("agent_version", s.agentVersion());
        h.put("updated_at", Long.toString(s.updatedAtMillis()));
        for (Map.Entry<String, Integer> room : s.rooms().entrySet()) {
            if (room.getKey().isEmpty() || room.getValue() == null || room.getValue() < 0) {
                throw new IllegalArgumentException("node " + s.id() + ": room '" + room.getKey() + "' with "
                        + room.getValue() + " participants (expected: a name and 0 or more)");
            }
            h.put(ROOM_PREFIX + room.getKey(), Integer.toString(room.getValue()));
        }
        return h;
    }

    /** Reads a hash written by {@link #encode}; a missing or bad field is a {@link MalformedStateException} naming it. */
    static NodeState decode(String key, Map<String, String> h) {
        Map<String, Integer> rooms = new HashMap<>();
        for (Map.Entry<String, String> e : h.entrySet()) {
            if (e.getKey().startsWith(ROOM_PREFIX)) {
                int n = integer(key, e.getKey(), e.getValue());
                rooms.put(e.getKey().substring(ROOM_PREFIX.length()), n);
            }
        }
        NodeStatus status;
        try {
            status = NodeStatus.fromWire(required(key, h, "status"));
        } catch (IllegalArgumentException e) {
            throw new MalformedStateException(key + ": field status: " + e.getMessage(), e);
        }
        double cpu = 0;
        String cpuText = required(key, h, "cpu");
        boolean cpuKnown = !cpuText.equals(UNKNOWN);
        if (cpuKnown) {
            try {
                cpu = Double.parseDouble(cpuText);
            } catch (NumberFormatException e) {
                throw new MalformedStateException(key + ": field cpu: '" + cpuText + "' (expected: a number or "
                        + UNKNOWN + ")", e);
            }
        }
        String channelsText = required(key, h, "channels");
        boolean channelsKnown = !channelsText.equals(UNKNOWN);
        String updated = required(key, h, "updated_at");
        long updatedAt;
        try {
            updatedAt = Long.parseLong(updated);
        } catch (NumberFormatException e) {
            throw new MalformedStateException(key + ": field updated_at: '" + updated + "' (expected: epoch milliseconds)", e);
        }
        return new NodeState(
                required(key, h, "id"),
                required(key, h, "uri"),
                status,
                channelsKnown ? integer(key, "channels", channelsText) : 0,
                integer(key, "max_channels", required(key, h, "max_channels")),
                cpu,
                rooms,
                splitList(h.getOrDefault("apps", "")),
                splitList(h.getOrDefault("accepting", "")),
                h.getOrDefault("asterisk_version", ""),
                h.getOrDefault("agent_version", ""),
                updatedAt,
                channelsKnown,
                cpuKnown);
    }

    private static String commaList(String what, Set<String> items) {
        // Sorted, so that the same state always writes the same bytes (easier to diff with redis-cli).
        Set<String> sorted = new TreeSet<>();
        for (String item : items) {
            sorted.add(ContractNames.requireListItem(what, item));
        }
        return String.join(",", sorted);
    }

    private static Set<String> splitList(String text) {
        if (text.isEmpty()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(text.split(",", -1)));
    }

    private static String required(String key, Map<String, String> h, String field) {
        String v = h.get(field);
        if (v == null) {
            throw new MalformedStateException(key + ": field " + field + " missing (present: " + new TreeSet<>(h.keySet()) + ")");
        }
        return v;
    }

    private static int integer(String key, String field, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n < 0) {
                throw new MalformedStateException(key + ": field " + field + ": " + n + " (expected: 0 or more)");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedStateException(key + ": field " + field + ": '" + value + "' (expected: an integer)", e);
        }
    }
}
