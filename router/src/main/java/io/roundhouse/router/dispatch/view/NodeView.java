package io.roundhouse.router.dispatch.view;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of the farm: built whole on the view's own thread and swapped in with one reference write,
 * so the event loop reads a consistent picture without locks (after Kamailio dispatcher's {@code ds_load_list}).
 *
 * <p>The snapshot carries its own indexes, built with it and so off the event loop: nodes by id (a join finds its
 * room's node in one lookup, not a scan of the farm), the hosts of each room as the agents report them (a new room
 * finds where it may already live), and the nodes' addresses with and without their ports.
 */
public final class NodeView {

    private final List<NodeEntry> nodes;
    private final Set<InetSocketAddress> addresses;
    private final Set<InetAddress> hosts;
    private final long builtAtMillis;
    private final boolean fromRedis;
    private final Map<String, NodeEntry> byId;
    private final Map<String, Integer> positions;
    private final Map<String, List<NodeEntry>> roomHosts;

    /**
     * @param nodes         static nodes in config order, then agent-only nodes by id
     * @param addresses     addresses of every node's URI (for {@code isFromNode})
     * @param builtAtMillis wall-clock time the snapshot was built
     * @param fromRedis     false when built from the config alone (Redis never reached yet)
     */
    public NodeView(List<NodeEntry> nodes, Set<InetSocketAddress> addresses, long builtAtMillis, boolean fromRedis) {
        this.nodes = List.copyOf(nodes);
        this.addresses = Set.copyOf(addresses);
        this.builtAtMillis = builtAtMillis;
        this.fromRedis = fromRedis;
        Set<InetAddress> h = new HashSet<>();
        this.addresses.forEach(a -> h.add(a.getAddress()));
        this.hosts = Collections.unmodifiableSet(h);
        Map<String, NodeEntry> ids = new LinkedHashMap<>();
        Map<String, Integer> pos = new HashMap<>();
        Map<String, List<NodeEntry>> rooms = new HashMap<>();
        for (int i = 0; i < this.nodes.size(); i++) {
            NodeEntry n = this.nodes.get(i);
            ids.putIfAbsent(n.id(), n);
            pos.putIfAbsent(n.id(), i);
            if (n.agent().isEmpty()) {
                continue;
            }
            for (Map.Entry<String, Integer> room : n.agent().get().rooms().entrySet()) {
                if (room.getValue() > 0) {
                    // Nearly every room lives on one node: a singleton list, grown only when a room is split.
                    rooms.merge(room.getKey(), List.of(n), NodeView::both);
                }
            }
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.positions = pos;
        this.roomHosts = rooms;
    }

    private static List<NodeEntry> both(List<NodeEntry> a, List<NodeEntry> b) {
        List<NodeEntry> all = new ArrayList<>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    /** Static nodes in config order, then agent-only nodes by id. */
    public List<NodeEntry> nodes() {
        return nodes;
    }

    /** Addresses of every node's URI (for {@code isFromNode}). */
    public Set<InetSocketAddress> addresses() {
        return addresses;
    }

    /** The IP addresses of {@link #addresses()} without their ports. */
    public Set<InetAddress> hosts() {
        return hosts;
    }

    /** Wall-clock time the snapshot was built. */
    public long builtAtMillis() {
        return builtAtMillis;
    }

    /** False when built from the config alone (Redis never reached yet). */
    public boolean fromRedis() {
        return fromRedis;
    }

    /** Every node by id, in view order. */
    public Map<String, NodeEntry> byId() {
        return byId;
    }

    public Optional<NodeEntry> node(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The node's place in {@link #nodes()}, or -1. */
    public int position(String id) {
        Integer p = positions.get(id);
        return p == null ? -1 : p;
    }

    /**
     * The nodes whose agents report live participants in {@code room} (a placement key or a room name), in view
     * order; empty when none.
     */
    public List<NodeEntry> hostsOf(String room) {
        List<NodeEntry> h = roomHosts.get(room);
        return h == null ? List.of() : h;
    }

    /** Node id to URI, what health probing walks. */
    public Map<String, String> uris() {
        Map<String, String> m = new LinkedHashMap<>();
        nodes.forEach(n -> m.put(n.id(), n.sipUri()));
        return m;
    }

    @Override
    public String toString() {
        return "NodeView" + byId.keySet() + (fromRedis ? "" : " (config only)") + " at " + builtAtMillis;
    }
}
