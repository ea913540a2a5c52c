package io.roundhouse.router.dispatch.view;

import io.roundhouse.shared.state.NodeState;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;

/**
 * One node of a {@link NodeView}: the union of its static config and its agent's published state.
 *
 * @param id           node id
 * @param sipUri       next hop for its calls (the static URI when the config names the node, else the agent's)
 * @param weight       static weight, 1 for a node only an agent publishes
 * @param configured   named in the config's {@code nodes:}
 * @param agent        the agent's state, when published and not expired
 * @param fullServices services the node is marked full for in Redis
 * @param address      resolved address of {@code sipUri}, null when it did not resolve
 */
public record NodeEntry(String id, String sipUri, int weight, boolean configured, Optional<NodeState> agent,
                        Set<String> fullServices, InetSocketAddress address) {

    public NodeEntry {
        fullServices = Set.copyOf(fullServices);
    }

    /** Participants of {@code room} on this node as its agent reports them; 0 when unknown. */
    public int participants(String room) {
        return agent.map(a -> a.rooms().getOrDefault(room, 0)).orElse(0);
    }
}
