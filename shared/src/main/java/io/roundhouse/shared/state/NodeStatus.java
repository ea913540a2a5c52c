package io.roundhouse.shared.state;

/**
 * Administrative state of an Asterisk node, as published by its agent.
 *
 * <p>Only {@link #ACTIVE} nodes take new calls. A {@link #DRAINING} node keeps its existing calls and still
 * takes joins to conference rooms it hosts; once it reports zero channels its agent publishes {@link #DRAINED}.
 * A {@link #DISABLED} node takes nothing.
 */
public enum NodeStatus {
    ACTIVE, DRAINING, DRAINED, DISABLED;

    /** The lower-case word stored in Redis ({@code active}, {@code draining}, ...). */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses a word written by {@link #wireName()}; throws {@link IllegalArgumentException} naming the bad value. */
    public static NodeStatus fromWire(String word) {
        for (NodeStatus s : values()) {
            if (s.wireName().equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("node status: " + word + " (expected: active, draining, drained, disabled)");
    }
}
