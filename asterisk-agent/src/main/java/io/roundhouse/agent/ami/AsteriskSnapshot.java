package io.roundhouse.agent.ami;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one full AMI snapshot saw.
 *
 * @param channels live channels by Uniqueid (CoreShowChannels: ConfBridge's hidden CBAnn announcer channels are not
 *                 listed, unlike CoreStatus's CoreCurrentCalls)
 * @param rooms    ConfBridge room to the Uniqueids of its participants (ConfbridgeListRooms + ConfbridgeList); empty
 *                 Optional when the AMI user may not list conferences (no {@code reporting} write class)
 */
public record AsteriskSnapshot(Set<String> channels, Optional<Map<String, Set<String>>> rooms) {

    public AsteriskSnapshot {
        channels = Set.copyOf(channels);
        rooms = rooms.map(r -> Map.copyOf(r.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> Set.copyOf(e.getValue())))));
    }
}
