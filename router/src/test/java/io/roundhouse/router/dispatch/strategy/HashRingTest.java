package io.roundhouse.router.dispatch.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.roundhouse.router.dispatch.TestCall;
import io.roundhouse.router.services.HashKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code hash} strategy: consistent hashing on a ring of virtual points, {@link HashRing}. */
@Timeout(30)
class HashRingTest {

    private static final int KEYS = 10_000;

    private static TestCall call(int k) {
        return TestCall.invite("call-" + k, "u", "h");
    }

    private static List<Candidate> nodes(int n) {
        List<Candidate> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(Candidate.ofWeight("n" + i, 1));
        }
        return out;
    }

    private static String first(Strategy.Prepared ring, int k) {
        return ring.rank(Strategy.NO_SKIP, call(k), 1).get(0).nodeId();
    }

    @Test
    void theSameKeyGetsTheSameNodeForTheSamePool() {
        List<Candidate> pool = nodes(7);
        HashRing ring = new HashRing(HashKey.CALL_ID);
        Strategy.Prepared prepared = ring.prepare(pool);
        List<Candidate> reversed = new ArrayList<>(pool);
        java.util.Collections.reverse(reversed);
        Strategy.Prepared otherInstanceOtherOrder = new HashRing(HashKey.CALL_ID).prepare(reversed);
        for (int k = 0; k < 1_000; k++) {
            String node = first(prepared, k);
            assertThat(first(prepared, k)).isEqualTo(node);
            assertThat(ring.rank(pool, call(k)).get(0).nodeId()).isEqualTo(node);
            assertThat(first(otherInstanceOtherOrder, k)).as("independent of pool order").isEqualTo(node);
        }
    }

    @Test
    void whenANodeLeavesOnlyTheKeysItOwnedMove() {
        List<Candidate> five = nodes(5);
        Strategy.Prepared before = new HashRing(HashKey.CALL_ID).prepare(five);
        Strategy.Prepared after = new HashRing(HashKey.CALL_ID).prepare(five.subList(0, 4));
        int owned = 0;
        for (int k = 0; k < KEYS; k++) {
            String was = first(before, k);
            if (was.equals("n5")) {
                owned++;
            } else {
                assertThat(first(after, k)).as("key %d of a staying node", k).isEqualTo(was);
            }
        }
        // 160 points give n5 a fifth of the ring within about 1/sqrt(160) = 8% of it: 0.2 +- 0.05 is 3 sigma.
        assertThat(owned / (double) KEYS).isCloseTo(0.2, within(0.05));
    }

    @Test
    void aLeavingNodesKeysSpreadOverTheOthers() {
        List<Candidate> five = nodes(5);
        Strategy.Prepared before = new HashRing(HashKey.CALL_ID).prepare(five);
        Strategy.Prepared after = new HashRing(HashKey.CALL_ID).prepare(five.subList(0, 4));
        Map<String, Integer> receivers = new HashMap<>();
        int moved = 0;
        for (int k = 0; k < KEYS; k++) {
            if (first(before, k).equals("n5")) {
                receivers.merge(first(after, k), 1, Integer::sum);
                moved++;
            }
        }
        // Each of n5's 160 arcs goes to the node of the next point: about 40 arcs each, of random lengths, so a
        // receiver's part is 1/4 within about 1/sqrt(40/2) = 22% of it; 10-40% is beyond 3 sigma, and excludes the
        // plain ring's flaw of one point per node (all of them to one neighbour).
        assertThat(receivers).hasSize(4);
        for (int count : receivers.values()) {
            assertThat(count / (double) moved).as("a receiver's part of the moved keys").isBetween(0.10, 0.40);
        }
    }

    @Test
    void aSkippedNodesKeysGoToTheirNextNodeAsIfItHadLeft() {
        List<Candidate> six = nodes(6);
        List<Candidate> withoutN3 = new ArrayList<>(six);
        withoutN3.remove(2);
        Strategy.Prepared all = new HashRing(HashKey.CALL_ID).prepare(six);
        Strategy.Prepared left = new HashRing(HashKey.CALL_ID).prepare(withoutN3);
        int[] skipN3 = {2};
        int owned = 0;
        for (int k = 0; k < KEYS; k++) {
            if (first(all, k).equals("n3")) {
                owned++;
            }
            assertThat(all.rank(skipN3, call(k), 5)).as("key %d", k)
                    .isEqualTo(left.rank(Strategy.NO_SKIP, call(k), 5));
        }
        assertThat(owned).as("keys that n3 owned, sent to their next node").isGreaterThan(KEYS / 10);
    }

    @Test
    void keysSpreadInProportionToWeight() {
        List<Candidate> pool = List.of(Candidate.ofWeight("a", 1), Candidate.ofWeight("b", 1),
                Candidate.ofWeight("c", 2), Candidate.ofWeight("d", 4));
        Strategy.Prepared ring = new HashRing(HashKey.CALL_ID).prepare(pool);
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < KEYS; k++) {
            counts.merge(first(ring, k), 1, Integer::sum);
        }
        // A node of p points holds its weight share of the ring within about 1/sqrt(p) (8% at 160 points, 4% at
        // 640); 10,000 keys add about 3% of a 1/8 share. 25% of each share is 3 sigma for the lightest.
        Map<String, Double> share = Map.of("a", 0.125, "b", 0.125, "c", 0.25, "d", 0.5);
        share.forEach((node, expected) -> assertThat(counts.get(node) / (double) KEYS).as(node)
                .isCloseTo(expected, within(expected * 0.25)));
    }

    @Test
    void aRankingIsDistinctNodesBestFirstUpToTheLimit() {
        List<Candidate> pool = nodes(10);
        Strategy.Prepared ring = new HashRing(HashKey.CALL_ID).prepare(pool);
        int[] skipped = {1, 4};
        for (int k = 0; k < 500; k++) {
            List<Ranked> three = ring.rank(skipped, call(k), 3);
            List<Ranked> all = ring.rank(skipped, call(k), 50);
            assertThat(three).hasSize(3);
            assertThat(all).hasSize(8);
            assertThat(all).extracting(Ranked::nodeId).doesNotHaveDuplicates().doesNotContain("n2", "n5");
            assertThat(all.subList(0, 3)).isEqualTo(three);
            assertThat(all).extracting(Ranked::score).isSorted();
            assertThat(all.get(0).score()).isBetween(0.0, 1.0);
        }
    }

    @Test
    void anUnchangedPoolReusesItsRingAndAChangedOneBuildsAnother() {
        HashRing hash = new HashRing(HashKey.CALL_ID);
        List<Candidate> pool = nodes(50);
        HashRing.Index first = (HashRing.Index) hash.prepare(pool);
        // The next view: the same ids and weights, other loads (new candidate objects).
        List<Candidate> sameIds = pool.stream().map(c -> new Candidate(c.nodeId(), c.weight(), true, 3, 10, 40, 7))
                .toList();
        HashRing.Index second = (HashRing.Index) hash.prepare(sameIds);
        assertThat(second.ring).isSameAs(first.ring);
        assertThat(second.rank(Strategy.NO_SKIP, call(1), 1).get(0).candidate()).as("this view's candidate")
                .isIn(sameIds);
        List<Candidate> reweighted = new ArrayList<>(pool);
        reweighted.set(7, Candidate.ofWeight("n8", 2));
        assertThat(((HashRing.Index) hash.prepare(reweighted)).ring).isNotSameAs(first.ring);
        assertThat(((HashRing.Index) hash.prepare(pool.subList(0, 49))).ring).isNotSameAs(first.ring);
    }

    @Test
    void aRingOfLargeWeightsStaysWithinItsBoundAndKeepsTheirRatio() {
        List<Candidate> pool = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            pool.add(Candidate.ofWeight("n" + i, i < 500 ? 1_000_000 : 500_000));
        }
        HashRing.Index ring = (HashRing.Index) new HashRing(HashKey.CALL_ID).prepare(pool);
        assertThat(ring.ring.size()).isLessThanOrEqualTo(HashRing.MAX_POINTS + pool.size())
                .isGreaterThan(HashRing.MAX_POINTS / 2);
        int heavy = 0;
        for (int k = 0; k < KEYS; k++) {
            if (Integer.parseInt(first(ring, k).substring(1)) < 500) {
                heavy++;
            }
        }
        // 500 nodes of 2/3 of the weight: the ring's share is exact to well under 1%; the keys' noise is 0.5%.
        assertThat(heavy / (double) KEYS).isCloseTo(2 / 3.0, within(0.03));
    }

    @Test
    void aNodeOfTinyWeightShareIsStillRankedWhenAskedFor() {
        List<Candidate> pool = List.of(Candidate.ofWeight("big", 1_000_000), Candidate.ofWeight("tiny", 1),
                Candidate.ofWeight("large", 1_000_000));
        Strategy.Prepared ring = new HashRing(HashKey.CALL_ID).prepare(pool);
        for (int k = 0; k < 200; k++) {
            assertThat(ring.rank(Strategy.NO_SKIP, call(k), 5)).extracting(Ranked::nodeId)
                    .containsExactlyInAnyOrder("big", "tiny", "large");
            assertThat(ring.rank(new int[] {0, 2}, call(k), 1)).extracting(Ranked::nodeId).containsExactly("tiny");
        }
    }

    @Test
    void aWalkWithMostOfThePoolLeftOutEndsWithTheRest() {
        List<Candidate> pool = nodes(1_000);
        Strategy.Prepared ring = new HashRing(HashKey.CALL_ID).prepare(pool);
        Set<Integer> keep = Set.of(3, 333, 500, 777, 998);
        int[] skipped = IntStream.range(0, 1_000).filter(i -> !keep.contains(i)).toArray();
        for (int k = 0; k < 200; k++) {
            List<Ranked> ranked = ring.rank(skipped, call(k), 11);
            assertThat(ranked).extracting(Ranked::nodeId)
                    .containsExactlyInAnyOrder("n4", "n334", "n501", "n778", "n999");
            assertThat(ranked).extracting(Ranked::score).isSorted();
            Set<String> firstTwo = new HashSet<>(ranked.subList(0, 2).stream().map(Ranked::nodeId).toList());
            assertThat(ring.rank(skipped, call(k), 2)).extracting(Ranked::nodeId)
                    .containsExactlyInAnyOrderElementsOf(firstTwo);
        }
    }
}
