package io.roundhouse.router.dispatch.view;

/** A node of the config's {@code nodes:} list that has a URI, as the view sees it (validated by the config). */
public record StaticNode(String id, String sipUri, int weight) {
}
