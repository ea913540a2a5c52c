package io.roundhouse.shared.state;

/**
 * A change announced on the contract's pub/sub channel so that routers can keep a local view
 * and touch Redis only where they must.
 *
 * <p>On the wire an event is one line of space-separated words, readable with {@code redis-cli SUBSCRIBE}:
 * {@code node-up asterisk-1}, {@code room-placed example.com:1000 asterisk-2}.
 *
 * @param type    what happened
 * @param subject the node id for node events, the placement key for room events
 * @param nodeId  the node concerned (for room events, the node the room is on after the change; for a release, the node
 *                that released it); equal to {@code subject} for node events
 */
public record StateEvent(Type type, String subject, String nodeId) {

    /** The kinds of change. */
    public enum Type {
        NODE_UP, NODE_DOWN, NODE_DRAINING, ROOM_PLACED, ROOM_MOVED, ROOM_RELEASED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
