package io.roundhouse.agent.publish;

import io.roundhouse.agent.ami.AsteriskMirror;
import io.roundhouse.agent.config.NodeSettings;
import io.roundhouse.agent.state.NodeLoad;
import io.roundhouse.agent.state.ServiceReadiness;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the {@link NodeState} to publish from what the eyes (AMI, /proc) and the hands (ARI services) see.
 *
 * <p>While Asterisk is unreachable over AMI the node is still published, as {@link NodeStatus#UNREACHABLE} with its
 * channel and CPU counts unknown, no rooms, no applications and nothing accepted, rather than removed (so operators
 * and routers see the agent alive and why the node is out) or left with its last counts (which would be stale: a
 * dead Asterisk has no calls). Routers take it out within one debounce instead of one TTL. Only an operator's
 * {@code disabled} outranks it, as the operator's own word. Only an {@link NodeStatus#ACTIVE} node accepts new calls:
 * a draining one keeps its calls and room joins, which routers send by placement, not by {@code accepting}. Host CPU
 * is published once the gauge has a representative sample ({@code cpu=unknown} before). Rooms are ConfBridge rooms
 * seen over AMI plus the ARI Conference service's rooms; a name in both adds up.
 */
public final class NodeStateComposer {

    private final NodeSettings node;
    private final NodeLoad load;
    private final AsteriskMirror mirror;
    private final ServiceReadiness readiness;
    private final String agentVersion;
    private final Clock wallClock;

    public NodeStateComposer(NodeSettings node, NodeLoad load, AsteriskMirror mirror, ServiceReadiness readiness,
                             String agentVersion, Clock wallClock) {
        this.node = node;
        this.load = load;
        this.mirror = mirror;
        this.readiness = readiness;
        this.agentVersion = agentVersion;
        this.wallClock = wallClock;
    }

    /**
     * The state to publish, given the node's administrative status ({@code DrainControl}).
     */
    public NodeState compose(NodeStatus adminStatus) {
        boolean reachable = load.asteriskReachable();
        if (!reachable) {
            NodeStatus status = adminStatus == NodeStatus.DISABLED ? NodeStatus.DISABLED : NodeStatus.UNREACHABLE;
            return new NodeState(node.id(), node.sipUri(), status, 0, node.maxChannels(), 0, Map.of(), Set.of(),
                    Set.of(), mirror.version(), agentVersion, wallClock.millis(), false, false);
        }
        Map<String, Integer> rooms = new TreeMap<>(mirror.rooms());
        readiness.rooms().forEach((room, participants) -> rooms.merge(room, participants, Integer::sum));
        Set<String> accepting = adminStatus == NodeStatus.ACTIVE ? readiness.acceptingServices() : Set.of();
        boolean cpuKnown = load.cpuKnown();
        double cpu = cpuKnown ? Math.round(load.cpuPercent() * 10) / 10.0 : 0;
        return new NodeState(node.id(), node.sipUri(), adminStatus, load.channels(), node.maxChannels(), cpu, rooms,
                readiness.registeredApps(), accepting, mirror.version(), agentVersion, wallClock.millis(), true,
                cpuKnown);
    }
}
