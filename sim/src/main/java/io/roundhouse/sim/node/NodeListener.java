package io.roundhouse.sim.node;

import java.util.Set;

/**
 * Told of every change of a simulated node's channels and bridges, in order, under the node's lock: the AMI server
 * turns them into events for logged-in managers, the ARI server into frames for the application's WebSocket.
 * Implementations only queue writes; they never block and never call back into the node.
 */
public interface NodeListener {

    /** A channel was created by an INVITE (AMI Newchannel). */
    default void channelCreated(Channel channel) {
    }

    /** The dialplan handed the channel to its Stasis application (ARI StasisStart). */
    default void stasisStarted(Channel channel) {
    }

    /** The application answered it (AMI Newstate, ARI ChannelStateChange). */
    default void channelAnswered(Channel channel) {
    }

    /** The channel joined a bridge, which now has these members (ARI ChannelEnteredBridge). */
    default void channelEnteredBridge(Channel channel, String bridgeId, Set<String> members) {
    }

    /**
     * The channel ended. {@code soft} when the application asked for it over ARI; {@code bridgeId} is the bridge it
     * left (empty if none) with the members left in it; {@code cause} is the Q.850 cause (AMI Hangup).
     */
    default void channelEnded(Channel channel, boolean soft, String bridgeId, Set<String> membersLeft, int cause,
                              boolean inStasis) {
    }
}
