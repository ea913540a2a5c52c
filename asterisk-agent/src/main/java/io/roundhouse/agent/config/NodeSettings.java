package io.roundhouse.agent.config;

/**
 * The {@code node:} block: who this node is in the farm.
 *
 * @param id          node id, unique in the farm (e.g. {@code asterisk-1})
 * @param sipUri      where routers send this node's calls (e.g. {@code sip:10.0.0.11:5060})
 * @param maxChannels the node's channel capacity, published for least-loaded scoring
 */
public record NodeSettings(String id, String sipUri, int maxChannels) {
}
