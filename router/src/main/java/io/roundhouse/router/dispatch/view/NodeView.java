package io.roundhouse.router.dispatch.view;

import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the farm: built whole on the view's own thread and swapped in with one reference write,
 * so the event loop reads a consistent picture without locks (after Kamailio dispatcher's {@code ds_load_list}).
 *
 * @param nodes         static nodes in config order, then agent-only nodes by id
 * @param addresses     addresses of every node's URI (for {@code isFromNode})
 * @param builtAtMillis wall-clock time the snapshot was built
 * @param fromRedis     false when built from the config alone (Redis never reached yet)
 */
public record NodeView(List<NodeEntry> nodes, Set<InetSocketAddress> addresses, long builtAtMillis,
                       boolean fromRedis) {

    public NodeView {
        nodes = List.copyOf(nodes);
        addresses = Set.copyOf(addresses);
    }

    public Map<String, NodeEntry> byId() {
        Map<String, NodeEntry> m = new LinkedHashMap<>();
        nodes.forEach(n -> m.put(n.id(), n));
        return Collections.unmodifiableMap(m);
    }

    public java.util.Optional<NodeEntry> node(String id) {
        for (NodeEntry n : nodes) {
            if (n.id().equals(id)) {
                return java.util.Optional.of(n);
            }
        }
        return java.util.Optional.empty();
    }

    /** Node id to URI, what health probing walks. */
    public Map<String, String> uris() {
        Map<String, String> m = new LinkedHashMap<>();
        nodes.forEach(n -> m.put(n.id(), n.sipUri()));
        return m;
    }
}
