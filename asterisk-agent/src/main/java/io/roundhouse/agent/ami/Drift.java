package io.roundhouse.agent.ami;

import java.util.Map;

/**
 * The difference between the event-fed state and a fresh snapshot: what a resynchronization corrected.
 *
 * @param channelsBefore channel count the events had led to
 * @param channelsAfter  channel count of the snapshot
 * @param roomsBefore    participants per room the events had led to
 * @param roomsAfter     participants per room of the snapshot
 */
public record Drift(int channelsBefore, int channelsAfter, Map<String, Integer> roomsBefore,
                    Map<String, Integer> roomsAfter) {

    /** True when the events had kept the state exact. */
    public boolean none() {
        return channelsBefore == channelsAfter && roomsBefore.equals(roomsAfter);
    }

    @Override
    public String toString() {
        return "channels " + channelsBefore + " -> " + channelsAfter + ", rooms " + roomsBefore + " -> " + roomsAfter;
    }
}
