package io.roundhouse.shared.state;

import java.util.List;

/**
 * A capped list of recent dispatch decisions, one human-readable line each, newest first, for operators
 * ({@code redis-cli LRANGE rh:decisions 0 20}). Older lines fall off once the cap is reached.
 */
public interface DecisionLog {

    /** Appends one line (newest first); the list is trimmed to its cap in the same atomic step. */
    void record(String line);

    /** The {@code n} newest lines, newest first (fewer when fewer were recorded). */
    List<String> recent(int n);
}
