package io.roundhouse.shared.state;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The live state of one Asterisk node, published by its agent with a TTL and read by every router.
 *
 * @param id              node id, unique in the farm (e.g. {@code asterisk-1})
 * @param sipUri          where the router sends this node's calls (e.g. {@code sip:10.0.0.11:5060})
 * @param status          administrative state
 * @param channels        live call channels (from AMI CoreShowChannels and events, not CoreCurrentCalls); 0 when
 *                        not {@code channelsKnown}
 * @param maxChannels     the node's channel capacity, used by least-loaded scoring
 * @param cpuPercent      smoothed host CPU use, 0..100; 0 when not {@code cpuKnown}
 * @param rooms           conference room name to participant count, for the rooms this node hosts
 * @param apps            Stasis applications registered over ARI right now; a service whose app is missing is not ready
 * @param accepting       services (by name) for which this node takes new calls now, per its admission thresholds
 * @param asteriskVersion version reported by Asterisk (e.g. {@code 22.10.1})
 * @param agentVersion    version of the agent that published this state
 * @param updatedAtMillis wall-clock time of publication, epoch milliseconds
 * @param channelsKnown   false while the agent cannot count the channels (status {@link NodeStatus#UNREACHABLE}):
 *                        the hash says {@code channels=unknown} rather than a stale count
 * @param cpuKnown        false until the agent has a representative CPU sample (a few seconds after it starts) and
 *                        while the node is unreachable: the hash says {@code cpu=unknown}
 */
public record NodeState(
        String id,
        String sipUri,
        NodeStatus status,
        int channels,
        int maxChannels,
        double cpuPercent,
        Map<String, Integer> rooms,
        Set<String> apps,
        Set<String> accepting,
        String asteriskVersion,
        String agentVersion,
        long updatedAtMillis,
        boolean channelsKnown,
        boolean cpuKnown) {

    /** A state whose channel and CPU counts are both known. */
    public NodeState(String id, String sipUri, NodeStatus status, int channels, int maxChannels, double cpuPercent,
                     Map<String, Integer> rooms, Set<String> apps, Set<String> accepting, String asteriskVersion,
                     String agentVersion, long updatedAtMillis) {
        this(id, sipUri, status, channels, maxChannels, cpuPercent, rooms, apps, accepting, asteriskVersion,
                agentVersion, updatedAtMillis, true, true);
    }

    public NodeState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sipUri, "sipUri");
        Objects.requireNonNull(status, "status");
        rooms = Map.copyOf(rooms);
        apps = Set.copyOf(apps);
        accepting = Set.copyOf(accepting);
        asteriskVersion = asteriskVersion == null ? "" : asteriskVersion;
        agentVersion = agentVersion == null ? "" : agentVersion;
        if ((!channelsKnown && channels != 0) || (!cpuKnown && cpuPercent != 0)) {
            throw new IllegalArgumentException("node " + id + ": channels " + channels + ", cpu " + cpuPercent
                    + " (expected: 0 when unknown)");
        }
    }
}
