package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import java.util.List;

/**
 * Orders a service's eligible nodes for one call, best first. Called on a Netty event loop: implementations hold at
 * most a little in-memory state (counters) and never block.
 *
 * <p>A dispatcher does not hand a strategy the whole farm per call: it {@linkplain #prepare prepares} the service's
 * candidates once per view (off the event loop), and each call then asks the prepared index for the first few of its
 * ranking, naming the candidates that cannot take this call (tried, down, marked full since the view was built). The
 * answer is what {@link #rank} would give for the remaining candidates, cut to the length asked, and it moves the
 * strategy's counters as {@link #rank} would: the cost of a call does not grow with the farm (for {@code hash} too:
 * {@link HashRing} is a ring of points built per pool, not rendezvous hashing, which scored every node). The one
 * exception to "as {@link #rank} would": when taking candidates out of a large {@link HashRing} pool would rescale its
 * points, the prepared ring is kept (see there).
 */
public interface Strategy {

    /** No candidate left out. */
    int[] NO_SKIP = new int[0];

    /**
     * Every candidate, ranked best first, with its score.
     *
     * @param candidates eligible nodes in pool order (the order priority follows); never empty
     */
    default List<Ranked> rank(List<Candidate> candidates, CallContext call) {
        return prepare(candidates).rank(NO_SKIP, call, candidates.size());
    }

    /**
     * An index of {@code candidates} (pool order) for many calls, built off the event loop; it shares this strategy's
     * counters.
     */
    Prepared prepare(List<Candidate> candidates);

    /** How to read the scores in a log line, e.g. {@code load (lower is better)}. */
    String scoreMeaning();

    /** The candidates of one view, indexed for ranking call after call. */
    interface Prepared {

        /**
         * The first {@code limit} of {@link Strategy#rank} over the prepared candidates without those at the
         * {@code skipped} positions, with the same effect on the strategy's counters.
         *
         * @param skipped positions (in the prepared list) of candidates this call must not use, ascending, distinct;
         *                at least one candidate must remain
         * @param limit   how many of the ranking to return, at least 1
         */
        List<Ranked> rank(int[] skipped, CallContext call, int limit);
    }
}
