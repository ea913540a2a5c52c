package io.roundhouse.agent.services;

import io.roundhouse.agent.ari.AriRest;
import io.roundhouse.agent.state.NodeLoad;
import io.roundhouse.agent.state.StateChangeListener;
import io.roundhouse.shared.state.Placements;

/**
 * What a service may use: ARI REST, the node's load, the room placements, this node's id, and the publisher's change
 * signal.
 */
public record ServiceContext(AriRest rest, NodeLoad load, Placements placements, String nodeId,
                             StateChangeListener changes) {
}
