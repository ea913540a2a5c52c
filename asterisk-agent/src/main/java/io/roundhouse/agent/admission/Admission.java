package io.roundhouse.agent.admission;

import io.roundhouse.agent.state.NodeLoad;

/**
 * Admission of one service on this node: decides from the node's live load ({@link NodeLoad}, fed by AMI and
 * /proc/stat) and the service's own count of calls, before a call is answered. Thread-safe; never blocks.
 *
 * <p>One decision answers both questions a node is asked: "do you take new work now?" (the {@code accepting} field
 * the publisher writes to Redis, {@link #newWork(int)}) and "do you take this call?" (on {@code StasisStart},
 * {@link #newWork(int, String)}). Both count the load the node had <em>before</em> the call: the incoming call's own
 * channel, which Asterisk already shows when the call reaches the agent, is not counted against it. So each threshold
 * has one meaning, and a node that advertises a service takes the next call of it (see {@link AdmissionThresholds}).
 */
public final class Admission {

    private final String service;
    private volatile AdmissionThresholds thresholds;
    private final NodeLoad load;

    public Admission(String service, AdmissionThresholds thresholds, NodeLoad load) {
        this.service = service;
        this.thresholds = thresholds;
        this.load = load;
    }

    public AdmissionThresholds thresholds() {
        return thresholds;
    }

    /** New thresholds (SIGHUP), in force from the next decision; calls already admitted are not revisited. */
    public void thresholds(AdmissionThresholds next) {
        thresholds = next;
    }

    /**
     * Whether the node takes new work now (what it publishes in {@code accepting}): the same decision as
     * {@link #newWork(int, String)} for a call that has not arrived yet.
     *
     * @param participants the service's calls on this node now
     */
    public Decision newWork(int participants) {
        return decideNewWork(load.channels(), participants);
    }

    /**
     * New work (a new room, or a new call of a room-less service) arriving on channel {@code incomingChannelId}: only
     * while Asterisk is reachable over AMI (an unknown load is not a low load), the node is not draining, and under
     * every threshold, counting the channels other than the incoming one.
     *
     * @param participants      the service's calls on this node now, the incoming one not included
     * @param incomingChannelId the ARI channel id of the call (Asterisk's Uniqueid, as AMI names it)
     */
    public Decision newWork(int participants, String incomingChannelId) {
        return decideNewWork(load.channelsBesides(incomingChannelId), participants);
    }

    /** The one decision of new work, on the channels the node had before the call. */
    private Decision decideNewWork(int channelsBefore, int participants) {
        AdmissionThresholds thresholds = this.thresholds; // one set for the whole decision, even during a reload
        if (!load.asteriskReachable()) {
            return Decision.refuse(service + ": Asterisk not reachable over AMI, load unknown");
        }
        if (load.draining()) {
            return Decision.refuse(service + ": node draining, joins to hosted rooms only");
        }
        if (channelsBefore >= thresholds.maxChannels()) {
            return Decision.refuse(service + ": channels " + channelsBefore + " >= max " + thresholds.maxChannels());
        }
        String cpu = "off";
        if (thresholds.maxCpuPercent().isPresent()) {
            if (!load.cpuKnown()) {
                return Decision.refuse(service + ": no representative CPU sample yet (the first seconds after start)");
            }
            double percent = load.cpuPercent();
            double max = thresholds.maxCpuPercent().getAsDouble();
            if (percent >= max) {
                return Decision.refuse(service + ": cpu " + percent + " >= max " + max);
            }
            cpu = String.valueOf(percent);
        }
        if (participants >= thresholds.maxParticipants()) {
            return Decision.refuse(service + ": participants " + participants + " >= max-participants-per-node "
                    + thresholds.maxParticipants());
        }
        return Decision.admit(service + ": channels " + channelsBefore + ", cpu " + cpu + ", participants "
                + participants);
    }

    /**
     * A join to a room this node already hosts: refusing it would split the room, so only the hard per-node limit
     * applies, not the load thresholds.
     *
     * @param participants the service's calls on this node now, the incoming one not included
     */
    public Decision join(int participants) {
        AdmissionThresholds thresholds = this.thresholds;
        if (participants >= thresholds.maxParticipants()) {
            return Decision.refuse(service + ": participants " + participants + " >= max-participants-per-node "
                    + thresholds.maxParticipants());
        }
        return Decision.admit(service + ": join, participants " + participants);
    }
}
