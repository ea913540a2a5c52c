package io.roundhouse.router.dispatch.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.TestCall;
import io.roundhouse.router.services.HashKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A prepared strategy (issue 15: indexed once per view, a call asks only for the first of its ranking) decides exactly
 * as the strategy ranking every candidate of every call did ({@link ReferenceStrategies}): the same nodes in the same
 * order with the same scores, and the same counters moved, over random farms that change (views), random candidates
 * left out per call (tried, down, full), random lengths asked, and indexes of an older view used in between.
 */
@Timeout(60)
class PreparedStrategiesRankAsTheReferenceTest {

    private static final int STEPS = 4_000;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void leastLoaded(long seed) {
        ReferenceStrategies.LeastLoaded reference = new ReferenceStrategies.LeastLoaded(0.5);
        compare(seed, new LeastLoaded(0.5), withoutSkipped(reference::rank), FARM_WEIGHTS, STEPS);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void weighted(long seed) {
        ReferenceStrategies.Weighted reference = new ReferenceStrategies.Weighted();
        compare(seed, new Weighted(), withoutSkipped(reference::rank), FARM_WEIGHTS, STEPS);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void roundRobin(long seed) {
        ReferenceStrategies.RoundRobin reference = new ReferenceStrategies.RoundRobin();
        compare(seed, new RoundRobin(), withoutSkipped(reference::rank), FARM_WEIGHTS, STEPS);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void hashRing(long seed) {
        ReferenceStrategies.Ring reference = new ReferenceStrategies.Ring(HashKey.FROM_USER);
        compare(seed, new HashRing(HashKey.FROM_USER), reference::rank, FARM_WEIGHTS, STEPS);
    }

    /**
     * Weights of 20,000 beside weights of 1: the ring is rescaled to its bound, light nodes keep a point or two, and
     * a call that must rank them (a small pool asked for all of it, most of it left out) outruns its walk and finds
     * them by each node's own points. Fewer steps: each new farm's reference ring is a map of about 256k points.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void hashRingScaledDown(long seed) {
        ReferenceStrategies.Ring reference = new ReferenceStrategies.Ring(HashKey.FROM_USER);
        compare(seed, new HashRing(HashKey.FROM_USER), reference::rank, new int[] {1, 1, 2, 20_000}, 300);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void priority(long seed) {
        ReferenceStrategies.Priority reference = new ReferenceStrategies.Priority();
        compare(seed, new Priority(), withoutSkipped(reference::rank), FARM_WEIGHTS, STEPS);
    }

    @Test
    void weightedForgetsTheCreditOfNodesThatLeftOnceTheMapGrowsAsBefore() {
        // 30 nodes, then a pool of 3: the reference's map (30 > 3 * 2 + 8) is cleaned at the next call.
        List<Candidate> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            many.add(Candidate.ofWeight("n" + i, 1 + i % 3));
        }
        ReferenceStrategies.Weighted reference = new ReferenceStrategies.Weighted();
        Weighted weighted = new Weighted();
        Strategy.Prepared all = weighted.prepare(many);
        for (int i = 0; i < 17; i++) {
            assertSame(all.rank(Strategy.NO_SKIP, call(i), 30), reference.rank(many, call(i)));
        }
        List<Candidate> few = many.subList(0, 3);
        Strategy.Prepared small = weighted.prepare(few);
        for (int i = 0; i < 10; i++) {
            assertSame(small.rank(Strategy.NO_SKIP, call(i), 3), reference.rank(few, call(i)));
        }
        Strategy.Prepared again = weighted.prepare(many);
        for (int i = 0; i < 40; i++) {
            assertSame(again.rank(Strategy.NO_SKIP, call(i), 30), reference.rank(many, call(i)));
        }
    }

    /** A reference ranking: every candidate but those at the {@code skipped} positions, best first. */
    private interface Reference {
        List<Ranked> rank(List<Candidate> candidates, int[] skipped, CallContext call);
    }

    /** The former strategies rank what remains once the skipped candidates are taken out. */
    private static Reference withoutSkipped(BiFunction<List<Candidate>, CallContext, List<Ranked>> rank) {
        return (candidates, skipped, call) -> {
            List<Candidate> remaining = new ArrayList<>();
            for (int i = 0; i < candidates.size(); i++) {
                if (java.util.Arrays.binarySearch(skipped, i) < 0) {
                    remaining.add(candidates.get(i));
                }
            }
            return rank.apply(remaining, call);
        };
    }

    private static final int[] FARM_WEIGHTS = {1, 1, 2, 3, 80};

    private void compare(long seed, Strategy strategy, Reference reference, int[] weights, int steps) {
        Random random = new Random(seed);
        List<Candidate> pool = farm(random, null, weights);
        List<Candidate> olderPool = pool;
        Strategy.Prepared prepared = strategy.prepare(pool);
        Strategy.Prepared older = prepared;
        for (int step = 0; step < steps; step++) {
            int r = random.nextInt(100);
            if (r < 4) {
                olderPool = pool;
                older = prepared;
                pool = farm(random, pool, weights);
                prepared = strategy.prepare(pool);
            }
            boolean useOlder = r >= 4 && r < 6;
            List<Candidate> candidates = useOlder ? olderPool : pool;
            Strategy.Prepared index = useOlder ? older : prepared;
            int[] skipped = skipped(random, candidates.size());
            int limit = 1 + random.nextInt(candidates.size() + 2);
            CallContext call = call(random.nextInt(50));
            List<Ranked> expected = reference.rank(candidates, skipped, call);
            List<Ranked> actual = index.rank(skipped, call, limit);
            assertSame(actual, expected.subList(0, Math.min(limit, expected.size())));
        }
    }

    private static void assertSame(List<Ranked> actual, List<Ranked> expected) {
        assertThat(actual).extracting(Ranked::nodeId)
                .containsExactlyElementsOf(expected.stream().map(Ranked::nodeId).toList());
        assertThat(actual).extracting(Ranked::score)
                .containsExactlyElementsOf(expected.stream().map(Ranked::score).toList());
    }

    private static CallContext call(int n) {
        return TestCall.invite("call-" + n, "100", "example.com").withFromUser("user" + n);
    }

    /** A farm with many equal loads and weights; from a previous one, some nodes changed, left or came. */
    private static List<Candidate> farm(Random random, List<Candidate> before, int[] weights) {
        List<Candidate> out = new ArrayList<>();
        int n = 1 + random.nextInt(24);
        for (int i = 0; i < n; i++) {
            String id = "n" + random.nextInt(40);
            if (out.stream().anyMatch(c -> c.nodeId().equals(id))) {
                continue;
            }
            Candidate kept = before == null ? null
                    : before.stream().filter(c -> c.nodeId().equals(id)).findFirst().orElse(null);
            if (kept != null && random.nextInt(3) > 0) {
                out.add(kept);
                continue;
            }
            boolean known = random.nextInt(4) > 0;
            out.add(new Candidate(id, weights[random.nextInt(weights.length)], known, random.nextInt(4),
                    random.nextInt(3) == 0 ? 0 : 10, new double[] {0, 10, 50}[random.nextInt(3)],
                    random.nextInt(3)));
        }
        return out;
    }

    /** Usually none; else a few positions, at least one candidate left. */
    private static int[] skipped(Random random, int n) {
        if (n == 1 || random.nextInt(3) > 0) {
            return Strategy.NO_SKIP;
        }
        TreeSet<Integer> s = new TreeSet<>();
        int k = 1 + random.nextInt(n - 1);
        while (s.size() < k) {
            s.add(random.nextInt(n));
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }
}
