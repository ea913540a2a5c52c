package io.roundhouse.shared.state;

import java.util.Collections;
import java.util.List;

/**
 * A capped list of recent dispatch decisions, one human-readable line each, newest first, for operators
 * ({@code redis-cli LRANGE rh:decisions 0 20}). Older lines fall off once the cap is reached.
 */
public interface DecisionLog {

    /** Appends one line (newest first); the list is trimmed to its cap in the same atomic step. */
    default void record(String line) {
        recordAll(Collections.singletonList(line));
    }

    /**
     * Appends lines in their order, so the last one is the newest, in one round trip; the list is trimmed to its cap
     * in the same atomic step. A router writes its decisions in batches this way: one command per batch instead of
     * one per call.
     */
    void recordAll(List<String> lines);

    /** The {@code n} newest lines, newest first (fewer when fewer were recorded). */
    List<String> recent(int n);
}
