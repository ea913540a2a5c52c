package io.roundhouse.agent.state;

/**
 * The node's load as the agent's eyes (AMI and /proc) see it now. Read by admission decisions and by the publisher;
 * implementations are thread-safe and never block.
 */
public interface NodeLoad {

    /** Live call channels (CoreShowChannels and channel events; not CoreCurrentCalls). */
    int channels();

    /**
     * Live call channels other than {@code channelId}: the load a node had before the call on that channel arrived.
     * Race-free for the incoming call: whether or not AMI's Newchannel for it came in before ARI's StasisStart, it is
     * not counted.
     */
    int channelsBesides(String channelId);

    /** Smoothed host CPU use, 0..100. */
    double cpuPercent();

    /**
     * False until the CPU gauge has a representative sample (a few seconds after start): until then
     * {@link #cpuPercent()} means nothing, and the node takes no new work (an unknown load is not a low load).
     */
    boolean cpuKnown();

    /** Whether Asterisk runs ConfBridge rooms now (from AMI): their placements are not the agent's to reclaim. */
    boolean hostsConfBridgeRooms();

    /** True while AMI is connected and the snapshot is current: otherwise the node must not take calls. */
    boolean asteriskReachable();

    /**
     * True while the node is draining, drained or disabled: it keeps its calls and takes joins to the rooms it hosts,
     * but no new work, even from a router whose view is a heartbeat behind.
     */
    boolean draining();
}
