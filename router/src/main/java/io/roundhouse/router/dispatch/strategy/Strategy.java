package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.CallContext;
import java.util.List;

/**
 * Orders a service's eligible nodes for one call, best first. Called on a Netty event loop with an immutable list:
 * implementations hold at most a little in-memory state (counters) and never block.
 */
public interface Strategy {

    /**
     * Every candidate, ranked best first, with its score.
     *
     * @param candidates eligible nodes in pool order (the order priority follows); never empty
     */
    List<Ranked> rank(List<Candidate> candidates, CallContext call);

    /** How to read the scores in a log line, e.g. {@code load (lower is better)}. */
    String scoreMeaning();
}
