package io.roundhouse.shared.state;

/**
 * State of an Asterisk node, as published by its agent.
 *
 * <p>Only {@link #ACTIVE} nodes take new calls. A {@link #DRAINING} node keeps its existing calls and still
 * takes joins to conference rooms it hosts; once it reports zero channels its agent publishes {@link #DRAINED}.
 * A {@link #DISABLED} node takes nothing. {@link #UNREACHABLE} is not an operator's choice but a fact: the agent runs
 * and cannot reach its Asterisk over AMI (dead, restarting), so the node takes nothing, not even joins, and its
 * channel and CPU counts are unknown ({@link NodeState#channelsKnown()}). An operator's control cannot set it.
 */
public enum NodeStatus {
    ACTIVE, DRAINING, DRAINED, DISABLED, UNREACHABLE;

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
        throw new IllegalArgumentException("node status: " + word + " (expected: active, draining, drained, disabled, unreachable)");
    }
}
