package io.roundhouse.router.admin;

import io.roundhouse.shared.state.NodeStatus;
import java.util.Optional;

/**
 * An operator's verb on a node, after HAProxy's {@code set server state ready|drain|maint}: stored as the node's
 * control in Redis ({@code rh:control:<node>}), which every router and the node's agent obey and which survives
 * restarts.
 */
public enum NodeAction {
    /** No new calls or rooms; calls in progress and joins to its rooms go on. */
    DRAIN,
    /** Back from draining (a disabled node stays disabled: enable it). */
    UNDRAIN,
    /** Nothing at all, at once. */
    DISABLE,
    /** Back to active from draining or disabled. */
    ENABLE;

    public String verb() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The verb in a URL or a command line. */
    public static Optional<NodeAction> fromVerb(String verb) {
        for (NodeAction a : values()) {
            if (a.verb().equals(verb)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * The control after this action, given the current one; empty means no control (the default, active).
     *
     * @throws AdminException 409 when undraining a disabled node
     */
    public Optional<NodeStatus> apply(String nodeId, Optional<NodeStatus> current) {
        return switch (this) {
            case DRAIN -> Optional.of(NodeStatus.DRAINING);
            case DISABLE -> Optional.of(NodeStatus.DISABLED);
            case ENABLE -> Optional.empty();
            case UNDRAIN -> {
                if (current.isPresent() && current.get() == NodeStatus.DISABLED) {
                    throw new AdminException(409, "node " + nodeId + " is disabled, not draining (use enable)");
                }
                yield Optional.empty();
            }
        };
    }
}
