package io.roundhouse.shared.state;

import java.util.Objects;

/**
 * A change announced on the contract's pub/sub channel so that routers can keep a local view
 * and touch Redis only where they must.
 *
 * <p>On the wire an event is one line of space-separated words, readable with {@code redis-cli SUBSCRIBE}:
 * {@code node-up asterisk-1}, {@code room-placed example.com:1000 asterisk-2}. Node events carry two words (type,
 * node id), room events three (type, placement key, node id).
 *
 * @param type    what happened
 * @param subject the node id for node events, the placement key for room events
 * @param nodeId  the node concerned (for room events, the node the room is on after the change; for a release, the node
 *                that released it); equal to {@code subject} for node events
 */
public record StateEvent(Type type, String subject, String nodeId) {

    public StateEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(nodeId, "nodeId");
    }

    /** The kinds of change. */
    public enum Type {
        NODE_UP, NODE_DOWN, NODE_DRAINING, ROOM_PLACED, ROOM_MOVED, ROOM_RELEASED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        /** True for the node events, whose subject is the node id. */
        public boolean isNodeEvent() {
            return this == NODE_UP || this == NODE_DOWN || this == NODE_DRAINING;
        }

        /** Parses a word written by {@link #wireName()}; throws {@link IllegalArgumentException} naming the word. */
        public static Type fromWire(String word) {
            for (Type t : values()) {
                if (t.wireName().equals(word)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("event type: " + word
                    + " (expected: node-up, node-down, node-draining, room-placed, room-moved, room-released)");
        }
    }

    /** A node event ({@code subject == nodeId}). */
    public static StateEvent ofNode(Type type, String nodeId) {
        if (!type.isNodeEvent()) {
            throw new IllegalArgumentException("event type: " + type.wireName() + " (expected: a node event)");
        }
        return new StateEvent(type, nodeId, nodeId);
    }

    /** A room event about placement {@code key} and node {@code nodeId}. */
    public static StateEvent ofRoom(Type type, String key, String nodeId) {
        if (type.isNodeEvent()) {
            throw new IllegalArgumentException("event type: " + type.wireName() + " (expected: a room event)");
        }
        return new StateEvent(type, key, nodeId);
    }

    /** The line published on the channel: {@code node-up asterisk-1} or {@code room-placed example.com:1000 asterisk-2}. */
    public String toWire() {
        return type.isNodeEvent()
                ? type.wireName() + ' ' + nodeId
                : type.wireName() + ' ' + subject + ' ' + nodeId;
    }

    /**
     * Parses a line written by {@link #toWire()}. Anyone with access to Redis can publish on the channel, so a bad line
     * is an {@link IllegalArgumentException} quoting it, never anything worse.
     */
    public static StateEvent fromWire(String line) {
        if (line == null) {
            throw new IllegalArgumentException("event line: null (expected: <type> <subject> [<node>])");
        }
        String[] words = line.split(" ", -1);
        Type type = Type.fromWire(words[0]);
        int expected = type.isNodeEvent() ? 2 : 3;
        if (words.length != expected) {
            throw new IllegalArgumentException("event line: '" + line + "' (expected: " + expected + " space-separated words)");
        }
        for (String w : words) {
            if (w.isEmpty()) {
                throw new IllegalArgumentException("event line: '" + line + "' (expected: no empty word)");
            }
        }
        return type.isNodeEvent() ? ofNode(type, words[1]) : ofRoom(type, words[1], words[2]);
    }
}
