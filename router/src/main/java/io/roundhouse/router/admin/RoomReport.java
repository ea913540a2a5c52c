package io.roundhouse.router.admin;

/**
 * One conference placement, for {@code GET /api/rooms}.
 *
 * @param key          placement key ({@code <tenant or domain>:<room>})
 * @param node         the node hosting it
 * @param participants participants its agent reports, null when the node has no agent in the view
 * @param nodeState    that node's state ({@code ready}, {@code draining}, ...), {@code gone} when no longer in the view
 */
public record RoomReport(String key, String node, Integer participants, String nodeState) {}
