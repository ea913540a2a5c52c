package io.roundhouse.router.config;

/**
 * A node of the {@code nodes:} list of the config.
 *
 * @param id     the node's id, unique in the list
 * @param uri    where the router sends the node's requests, e.g. {@code sip:127.0.0.1:5081}
 * @param weight relative weight for weighted strategies (default 1)
 */
public record StaticNode(String id, String uri, int weight) {
}
