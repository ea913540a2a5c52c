package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.health.PassiveHealth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Static round robin (no services:) follows health as live dispatch does: probing and INVITEs left unanswered. */
@Timeout(10)
class RoundRobinSkipsUnhealthyNodesTest {

    final AtomicLong clock = new AtomicLong(1L);
    final Map<String, HealthState> probed = new HashMap<>();
    final FarmHealth health = new FarmHealth(id -> probed.getOrDefault(id, HealthState.UP),
            () -> java.util.Set.of("a", "b", "c"),
            PassiveHealth.DEFAULT_TIMEOUTS_DOWN, PassiveHealth.DEFAULT_TRIAL_EVERY, clock::get);
    final StaticRoundRobinDispatcher dispatcher = new StaticRoundRobinDispatcher(List.of(
            new StaticNode("a", "sip:127.0.0.1:5081", 1), new StaticNode("b", "sip:127.0.0.1:5082", 1),
            new StaticNode("c", "sip:127.0.0.1:5083", 1)), health);
    int calls;

    Optional<DispatchTarget> select() {
        return dispatcher.select(TestCall.invite("c" + ++calls, "1000", "h")).toCompletableFuture().getNow(null);
    }

    List<String> nodesOfCalls(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestCall call = TestCall.invite("r" + ++calls, "1000", "h");
            DispatchTarget t = dispatcher.select(call).toCompletableFuture().getNow(null).orElseThrow();
            dispatcher.completed(call, t, 200);
            out.add(t.nodeId());
        }
        return out;
    }

    @Test
    void aNodeProbingHoldsDownGetsNoCalls() {
        probed.put("b", HealthState.DOWN);
        assertThat(nodesOfCalls(6)).doesNotContain("b").contains("a", "c");
    }

    @Test
    void aNodeThatLeftThreeInvitesInARowUnansweredGetsNoCalls() {
        for (int i = 0; i < 3; i++) {
            TestCall call = TestCall.invite("t" + i, "1000", "h");
            DispatchTarget b = new DispatchTarget("b", "sip:127.0.0.1:5082", Map.of());
            dispatcher.next(call, b, AttemptOutcome.timeout());
        }
        assertThat(nodesOfCalls(6)).doesNotContain("b");
    }

    @Test
    void failoverSkipsAnUnhealthyNode() {
        probed.put("b", HealthState.DOWN);
        TestCall call = TestCall.invite("f1", "1000", "h");
        DispatchTarget a = new DispatchTarget("a", "sip:127.0.0.1:5081", Map.of());
        DispatchTarget next = dispatcher.next(call, a, AttemptOutcome.timeout()).toCompletableFuture().getNow(null)
                .orElseThrow();
        assertThat(next.nodeId()).isEqualTo("c");
    }

    @Test
    void theProxyIsToldOfANodeGoingDownOnlyWhileAnotherNodeLooksUp() {
        List<String> told = new ArrayList<>();
        dispatcher.onNodeDown(told::add);
        probed.put("a", HealthState.DOWN);
        health.probedDown("a");
        probed.put("b", HealthState.DOWN);
        health.probedDown("b");
        probed.put("c", HealthState.DOWN);
        health.probedDown("c");
        assertThat(told).as("all down at once: more likely the router's own overload").containsExactly("a", "b");
    }

    @Test
    void noHealthyNodeMeansNoNode() {
        probed.put("a", HealthState.DOWN);
        probed.put("b", HealthState.DOWN);
        probed.put("c", HealthState.DOWN);
        assertThat(select()).isEmpty();
    }
}
