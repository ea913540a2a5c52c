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
 * @param channels        live call channels (from AMI CoreShowChannels and events, not CoreCurrentCalls)
 * @param maxChannels     the node's channel capacity, used by least-loaded scoring
 * @param cpuPercent      smoothed host CPU use, 0..100
 * @param rooms           conference room name to participant count, for the rooms this node hosts
 * @param apps            Stasis applications registered over ARI right now; a service whose app is missing is not ready
 * @param accepting       services (by name) for which this node takes new calls now, per its admission thresholds
 * @param asteriskVersion version reported by Asterisk (e.g. {@code 22.10.1})
 * @param agentVersion    version of the agent that published this state
 * @param updatedAtMillis wall-clock time of publication, epoch milliseconds
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
        long updatedAtMillis) {

    public NodeState {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sipUri, "sipUri");
        Objects.requireNonNull(status, "status");
        rooms = Map.copyOf(rooms);
        apps = Set.copyOf(apps);
        accepting = Set.copyOf(accepting);
        asteriskVersion = asteriskVersion == null ? "" : asteriskVersion;
        agentVersion = agentVersion == null ? "" : agentVersion;
    }
}
