package io.roundhouse.router.dispatch.view;

import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
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
 * @param control      the operator's wish for the node in Redis ({@code rh:control:<id>}), when set
 */
public record NodeEntry(String id, String sipUri, int weight, boolean configured, Optional<NodeState> agent,
                        Set<String> fullServices, InetSocketAddress address, Optional<NodeStatus> control) {

    public NodeEntry {
        fullServices = Set.copyOf(fullServices);
    }

    /** A node without an operator control. */
    public NodeEntry(String id, String sipUri, int weight, boolean configured, Optional<NodeState> agent,
                     Set<String> fullServices, InetSocketAddress address) {
        this(id, sipUri, weight, configured, agent, fullServices, address, Optional.empty());
    }

    /**
     * The status dispatch obeys: the stricter of the agent's published status and the operator's control, so that a
     * control takes effect at once, before the agent follows it and on a node that has no agent at all. Empty when
     * neither is known (a static node without agent or control).
     */
    public Optional<NodeStatus> status() {
        Optional<NodeStatus> published = agent.map(NodeState::status);
        if (control.isEmpty()) {
            return published;
        }
        if (published.isEmpty()) {
            return control;
        }
        return published.get().compareTo(control.get()) >= 0 ? published : control;
    }

    /** Participants of {@code room} on this node as its agent reports them; 0 when unknown. */
    public int participants(String room) {
        return agent.map(a -> a.rooms().getOrDefault(room, 0)).orElse(0);
    }
}
