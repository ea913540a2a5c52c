package io.roundhouse.router.dispatch.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.roundhouse.router.dispatch.TestCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StrategiesTest {

    static final TestCall CALL = TestCall.invite("call-1", "100", "example.com");

    @Test
    void weightedSplitsEightyTwentyWithinThreePercentOverTenThousandCalls() {
        Weighted weighted = new Weighted();
        List<Candidate> nodes = List.of(Candidate.ofWeight("asterisk-1", 80), Candidate.ofWeight("asterisk-2", 20));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(weighted.rank(nodes, CALL).get(0).nodeId(), 1, Integer::sum);
        }
        assertThat(counts.get("asterisk-1") / 10_000.0).isCloseTo(0.80, within(0.03));
        assertThat(counts.get("asterisk-2") / 10_000.0).isCloseTo(0.20, within(0.03));
    }

    @Test
    void weightedInterleavesRatherThanBursting() {
        Weighted weighted = new Weighted();
        List<Candidate> nodes = List.of(Candidate.ofWeight("a", 80), Candidate.ofWeight("b", 20));
        List<String> firstTen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            firstTen.add(weighted.rank(nodes, CALL).get(0).nodeId());
        }
        assertThat(firstTen.stream().filter("b"::equals).count()).isEqualTo(2);
        assertThat(String.join("", firstTen)).doesNotContain("bb").doesNotContain("aaaaa");
    }

    @Test
    void weightedRanksEveryCandidateWithItsShare() {
        List<Ranked> ranked = new Weighted().rank(
                List.of(Candidate.ofWeight("a", 80), Candidate.ofWeight("b", 20)), CALL);
        assertThat(ranked).extracting(Ranked::nodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(ranked).filteredOn(r -> r.nodeId().equals("a")).first()
                .extracting(Ranked::score).isEqualTo(0.8);
    }

    @Test
    void leastLoadedPrefersFewerChannelsAndLessCpu() {
        LeastLoaded ll = new LeastLoaded(0.5);
        List<Ranked> ranked = ll.rank(List.of(
                Candidate.ofLoad("busy", 90, 100, 80),
                Candidate.ofLoad("light", 10, 100, 10),
                Candidate.ofLoad("middle", 50, 100, 50)), CALL);
        assertThat(ranked).extracting(Ranked::nodeId).containsExactly("light", "middle", "busy");
        // load = 0.5 * 10/100 + 0.5 * 10/100 (the pick itself is counted only after ranking)
        assertThat(ranked.get(0).score()).isCloseTo(0.10, within(1e-9));
    }

    @Test
    void leastLoadedCountsItsOwnPicksUntilTheNextReport() {
        LeastLoaded ll = new LeastLoaded(1.0);
        List<Candidate> nodes = List.of(new Candidate("a", 1, true, 0, 10, 0, 1),
                new Candidate("b", 1, true, 2, 10, 0, 1));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 6; i++) {
            counts.merge(ll.rank(nodes, CALL).get(0).nodeId(), 1, Integer::sum);
        }
        // a takes 2 picks to catch up with b, then they alternate: 4 and 2, not 6 and 0.
        assertThat(counts).containsEntry("a", 4).containsEntry("b", 2);
        // A fresh report (new version) replaces the router's own estimate.
        List<Candidate> reported = List.of(new Candidate("a", 1, true, 0, 10, 0, 2),
                new Candidate("b", 1, true, 2, 10, 0, 2));
        assertThat(ll.rank(reported, CALL).get(0).nodeId()).isEqualTo("a");
    }

    @Test
    void leastLoadedTakesEqualNodesInTurns() {
        LeastLoaded ll = new LeastLoaded(0.5);
        List<Candidate> nodes = List.of(Candidate.ofWeight("s1", 1), Candidate.ofWeight("s2", 1));
        assertThat(ll.rank(nodes, CALL).get(0).nodeId()).isNotEqualTo(ll.rank(nodes, CALL).get(0).nodeId());
        assertThat(ll.rank(nodes, CALL).get(0).score()).isEqualTo(LeastLoaded.UNKNOWN_LOAD);
    }

    @Test
    void roundRobinRotatesThroughThePool() {
        RoundRobin rr = new RoundRobin();
        List<Candidate> nodes = List.of(Candidate.ofWeight("a", 1), Candidate.ofWeight("b", 1),
                Candidate.ofWeight("c", 1));
        List<String> firsts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            firsts.add(rr.rank(nodes, CALL).get(0).nodeId());
        }
        assertThat(firsts).containsExactly("a", "b", "c", "a", "b", "c");
        assertThat(rr.rank(nodes, CALL)).extracting(Ranked::nodeId).containsExactly("a", "b", "c");
    }

    @Test
    void priorityKeepsPoolOrder() {
        assertThat(new Priority().rank(List.of(Candidate.ofWeight("primary", 1), Candidate.ofWeight("backup", 1)), CALL))
                .extracting(Ranked::nodeId).containsExactly("primary", "backup");
    }
}
