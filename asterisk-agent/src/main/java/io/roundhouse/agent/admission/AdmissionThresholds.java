package io.roundhouse.agent.admission;

import java.util.OptionalDouble;

/**
 * When a service on this node takes new work. For Conference, "new work" is a new room and {@code maxParticipants}
 * is the hard limit that even joins to a hosted room respect; for other services it bounds their concurrent calls.
 *
 * <p>Each threshold has one meaning, the same for the published {@code accepting} field and for the answer to a call
 * (see {@link Admission}): it counts what the node had <em>before</em> the call, never the call's own channel.
 *
 * @param maxChannels     new work only while the node has fewer live channels than this, the incoming call's own not
 *                        counted ({@code new-room-max-channels} for Conference, {@code max-channels} otherwise): with
 *                        one channel per call, a node with {@code max-channels: N} and no other traffic takes N calls
 *                        and bounces the (N+1)th; {@code new-room-max-channels: 1} starts a room on an idle node only
 * @param maxCpuPercent   new work only while smoothed host CPU is below this ({@code new-room-max-cpu} / {@code max-cpu});
 *                        empty when CPU admission is off ({@code off}): where the host's CPU is not the node's own,
 *                        as for simulated nodes sharing one host, it would refuse for load that is not the node's
 * @param maxParticipants hard per-node limit of the service's calls ({@code max-participants-per-node}): N calls, the
 *                        (N+1)th is bounced
 */
public record AdmissionThresholds(int maxChannels, OptionalDouble maxCpuPercent, int maxParticipants) {

    /** Leaves headroom on a typical node: ConfBridge mixing saturates CPU well before channel limits. */
    public static final AdmissionThresholds DEFAULTS = new AdmissionThresholds(150, 80.0, 200);

    public AdmissionThresholds {
        double cpu = maxCpuPercent.orElse(0);
        if (maxChannels < 0 || maxParticipants < 0 || !(cpu >= 0 && cpu <= 100)) {
            throw new IllegalArgumentException("thresholds: channels " + maxChannels + ", cpu " + maxCpuPercent
                    + ", participants " + maxParticipants + " (expected: >= 0, cpu 0..100 or off)");
        }
    }

    /** Thresholds with CPU admission on. */
    public AdmissionThresholds(int maxChannels, double maxCpuPercent, int maxParticipants) {
        this(maxChannels, OptionalDouble.of(maxCpuPercent), maxParticipants);
    }
}
