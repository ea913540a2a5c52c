package io.roundhouse.agent.admission;

import io.roundhouse.agent.state.NodeLoad;

/**
 * Admission of one service on this node: decides from the node's live load ({@link NodeLoad}, fed by AMI and
 * /proc/stat) and the service's own count of calls, before a call is answered. Thread-safe; never blocks.
 */
public final class Admission {

    private final String service;
    private final AdmissionThresholds thresholds;
    private final NodeLoad load;

    public Admission(String service, AdmissionThresholds thresholds, NodeLoad load) {
        this.service = service;
        this.thresholds = thresholds;
        this.load = load;
    }

    public AdmissionThresholds thresholds() {
        return thresholds;
    }

    /**
     * New work (a new room, or a new call of a room-less service): only while Asterisk is reachable over AMI (an
     * unknown load is not a low load), the node is not draining, and under every threshold.
     *
     * @param participants the service's calls on this node now
     */
    public Decision newWork(int participants) {
        if (!load.asteriskReachable()) {
            return Decision.refuse(service + ": Asterisk not reachable over AMI, load unknown");
        }
        if (load.draining()) {
            return Decision.refuse(service + ": node draining, joins to hosted rooms only");
        }
        int channels = load.channels();
        if (channels >= thresholds.maxChannels()) {
            return Decision.refuse(service + ": channels " + channels + " >= max " + thresholds.maxChannels());
        }
        double cpu = load.cpuPercent();
        if (cpu >= thresholds.maxCpuPercent()) {
            return Decision.refuse(service + ": cpu " + cpu + " >= max " + thresholds.maxCpuPercent());
        }
        if (participants >= thresholds.maxParticipants()) {
            return Decision.refuse(service + ": participants " + participants + " >= max-participants-per-node "
                    + thresholds.maxParticipants());
        }
        return Decision.admit(service + ": channels " + channels + ", cpu " + cpu + ", participants " + participants);
    }

    /**
     * A join to a room this node already hosts: refusing it would split the room, so only the hard per-node limit
     * applies, not the load thresholds.
     */
    public Decision join(int participants) {
        if (participants >= thresholds.maxParticipants()) {
            return Decision.refuse(service + ": participants " + participants + " >= max-participants-per-node "
                    + thresholds.maxParticipants());
        }
        return Decision.admit(service + ": join, participants " + participants);
    }
}
