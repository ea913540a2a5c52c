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
 * <p>While Asterisk is unreachable over AMI the node is still published (so operators and routers see the agent alive
 * and why the node is out: no applications, nothing accepted) rather than removed; it takes no call either way, and
 * the router learns it within one debounce instead of one TTL. Only an {@link NodeStatus#ACTIVE} node accepts new
 * calls: a draining one keeps its calls and room joins, which routers send by placement, not by {@code accepting}.
 * Rooms are ConfBridge rooms seen over AMI plus the ARI Conference service's rooms; a name in both adds up.
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

    /** Whether Asterisk answers over AMI now: without it the node takes no call. */
    public boolean reachable() {
        return load.asteriskReachable();
    }

    public NodeState compose(NodeStatus status) {
        boolean reachable = load.asteriskReachable();
        Map<String, Integer> rooms = new TreeMap<>(mirror.rooms());
        readiness.rooms().forEach((room, participants) -> rooms.merge(room, participants, Integer::sum));
        Set<String> apps = reachable ? readiness.registeredApps() : Set.of();
        Set<String> accepting = reachable && status == NodeStatus.ACTIVE ? readiness.acceptingServices() : Set.of();
        double cpu = Math.round(load.cpuPercent() * 10) / 10.0;
        return new NodeState(node.id(), node.sipUri(), status, load.channels(), node.maxChannels(), cpu, rooms, apps,
                accepting, mirror.version(), agentVersion, wallClock.millis());
    }
}
