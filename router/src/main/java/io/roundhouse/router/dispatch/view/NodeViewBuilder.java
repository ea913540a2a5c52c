package io.roundhouse.router.dispatch.view;

import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds a {@link NodeView} from the static nodes and what Redis holds. Runs on the view thread: may resolve names. */
public final class NodeViewBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(NodeViewBuilder.class);

    private final List<StaticNode> statics;

    public NodeViewBuilder(List<StaticNode> statics) {
        this.statics = List.copyOf(statics);
    }

    /** The view before Redis was ever read: static nodes only. */
    public NodeView configOnly(long nowMillis) {
        return build(List.of(), Map.of(), nowMillis, false);
    }

    public NodeView build(List<NodeState> agents, Map<String, Set<String>> marks, long nowMillis, boolean fromRedis) {
        return build(agents, marks, Map.of(), nowMillis, fromRedis);
    }

    /** Every node id the view would hold with these agents: whose controls to read. */
    public Set<String> ids(List<NodeState> agents) {
        Set<String> ids = new java.util.LinkedHashSet<>();
        statics.forEach(s -> ids.add(s.id()));
        agents.forEach(a -> ids.add(a.id()));
        return ids;
    }

    /** @param controls the operators' wishes by node id ({@code rh:control:<id>}) */
    public NodeView build(List<NodeState> agents, Map<String, Set<String>> marks, Map<String, NodeStatus> controls,
                          long nowMillis, boolean fromRedis) {
        Map<String, NodeState> byId = new HashMap<>();
        agents.forEach(a -> byId.put(a.id(), a));
        List<NodeEntry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (StaticNode s : statics) {
            seen.add(s.id());
            entries.add(new NodeEntry(s.id(), s.sipUri(), s.weight(), true, Optional.ofNullable(byId.get(s.id())),
                    marks.getOrDefault(s.id(), Set.of()), resolve(s.sipUri()),
                    Optional.ofNullable(controls.get(s.id()))));
        }
        agents.stream().filter(a -> !seen.contains(a.id())).sorted(Comparator.comparing(NodeState::id))
                .forEach(a -> entries.add(new NodeEntry(a.id(), a.sipUri(), 1, false, Optional.of(a),
                        marks.getOrDefault(a.id(), Set.of()), resolve(a.sipUri()),
                        Optional.ofNullable(controls.get(a.id())))));
        Set<InetSocketAddress> addresses = new HashSet<>();
        for (NodeEntry e : entries) {
            if (e.address() != null) {
                addresses.add(e.address());
            }
        }
        return new NodeView(entries, addresses, nowMillis, fromRedis);
    }

    private static InetSocketAddress resolve(String uri) {
        try {
            SipAddress a = SipAddress.parse(uri);
            return new InetSocketAddress(InetAddress.getByName(a.host()), a.port());
        } catch (IllegalArgumentException | UnknownHostException e) {
            // An agent may publish a bad URI: the node stays in the view (so operators see it) but is never trusted.
            LOG.warn("node URI {} does not resolve: {}", uri, e.getMessage());
            return null;
        }
    }
}
