package io.roundhouse.shared.state;

import java.util.Map;
import java.util.Optional;

/**
 * Conference placements: affinity key (e.g. {@code example.com:1000}) to the id of the node hosting the room.
 * Every write is atomic in Redis, so routers sharing one Redis never split a room.
 */
public interface Placements {

    /** The node the key is placed on, if any. */
    Optional<String> lookup(String key);

    /**
     * Places the key on {@code nodeId} unless it is placed already. Atomic: of two routers claiming the same new key at
     * the same instant, exactly one wins, and both are told the same owner.
     */
    Claim claim(String key, String nodeId);

    /**
     * Moves the key to {@code toNodeId} only if it is still on {@code fromNodeId} (compare-and-set). A caller that lost
     * is told the real owner; when the key is no longer placed at all, the owner is null and nothing is written (claim
     * it instead).
     */
    Move move(String key, String fromNodeId, String toNodeId);

    /** Deletes the key only if it still points at {@code nodeId}; true when it did. */
    boolean release(String key, String nodeId);

    /** Every placement (for a router's full refresh and for operators). */
    Map<String, String> readAll();

    /** Outcome of {@link #claim}: the owner after the call, and whether this caller made it the owner. */
    record Claim(String owner, boolean won) {}

    /** Outcome of {@link #move}: the owner after the call (null when the key is not placed), and whether this caller moved it. */
    record Move(String owner, boolean moved) {}
}
