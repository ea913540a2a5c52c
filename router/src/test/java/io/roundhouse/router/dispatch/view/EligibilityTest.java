package io.roundhouse.router.dispatch.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.dispatch.TestCall;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.health.PassiveHealth;
import io.roundhouse.router.services.ServiceMatch;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EligibilityTest {

    final Map<String, HealthState> health = new HashMap<>();
    final AtomicLong clock = new AtomicLong();
    final LocalFullMarks localMarks = new LocalFullMarks(clock::get);
    final FarmHealth farmHealth = new FarmHealth(id -> health.getOrDefault(id, HealthState.UNKNOWN),
            () -> java.util.Set.of("a", "b", "s"),
            PassiveHealth.DEFAULT_TIMEOUTS_DOWN, PassiveHealth.DEFAULT_TRIAL_EVERY, clock::get);
    final Eligibility eligibility = new Eligibility(false, farmHealth, localMarks);
    final ServiceMatch conference;

    EligibilityTest() throws Exception {
        conference = TestRouters.live("""
                services:
                  - { name: conference, match: { ruri-user: "^conf-(?<room>[0-9]+)$" }, app: Conference,
                      app-data: "${room}", affinity: "${ruri-host}:${room}" }
                """).services().classify(TestCall.invite("c", "conf-1", "h")).orElseThrow();
    }

    static NodeState state(String id, NodeStatus status, Set<String> apps, Set<String> accepting) {
        return new NodeState(id, "sip:127.0.0.1:5081", status, 1, 100, 10, Map.of("1", 2), apps, accepting, "22.10.1",
                "0.1", 1);
    }

    static NodeEntry dynamic(NodeState s, Set<String> full) {
        return new NodeEntry(s.id(), s.sipUri(), 1, false, Optional.of(s), full, null);
    }

    static final Set<String> CONF = Set.of("Conference");

    @Test
    void activeNodeWithAppAndAdmissionTakesNewCalls() {
        assertThat(eligibility.whyNotNew(dynamic(state("a", NodeStatus.ACTIVE, CONF, Set.of("conference")), Set.of()),
                conference)).isNull();
        assertThat(eligibility.whyNotNew(dynamic(state("a", NodeStatus.ACTIVE, CONF, CONF), Set.of()), conference))
                .as("accepting may name the application").isNull();
    }

    @Test
    void nodeWhoseStasisAppDroppedTakesNothing() {
        NodeEntry n = dynamic(state("a", NodeStatus.ACTIVE, Set.of("Echo"), Set.of("conference")), Set.of());
        assertThat(eligibility.whyNotNew(n, conference)).isEqualTo("app-missing");
        assertThat(eligibility.whyNotJoin(n, conference)).isEqualTo("app-missing");
    }

    @Test
    void drainingNodeTakesJoinsButNoNewRooms() {
        NodeEntry n = dynamic(state("a", NodeStatus.DRAINING, CONF, Set.of("conference")), Set.of());
        assertThat(eligibility.whyNotNew(n, conference)).isEqualTo("draining");
        assertThat(eligibility.whyNotJoin(n, conference)).isNull();
    }

    @Test
    void disabledDrainedAndUnreachableNodesTakeNothing() {
        for (NodeStatus s : List.of(NodeStatus.DISABLED, NodeStatus.DRAINED, NodeStatus.UNREACHABLE)) {
            NodeEntry n = dynamic(state("a", s, CONF, Set.of("conference")), Set.of());
            assertThat(eligibility.whyNotNew(n, conference)).isEqualTo(s.wireName());
            assertThat(eligibility.whyNotJoin(n, conference)).isEqualTo(s.wireName());
        }
    }

    @Test
    void fullMarksInRedisOrLocalStopNewCallsOnlyForTheirService() {
        assertThat(eligibility.whyNotNew(dynamic(state("a", NodeStatus.ACTIVE, CONF, Set.of("conference")),
                Set.of("conference")), conference)).isEqualTo("full");
        NodeEntry n = dynamic(state("b", NodeStatus.ACTIVE, CONF, Set.of("conference")), Set.of("queue"));
        assertThat(eligibility.whyNotNew(n, conference)).isNull();
        localMarks.markFull("b", "conference", Duration.ofSeconds(10));
        assertThat(eligibility.whyNotNew(n, conference)).isEqualTo("full");
        assertThat(eligibility.whyNotJoin(n, conference)).as("joins are the node's own admission").isNull();
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(eligibility.whyNotNew(n, conference)).as("the mark expires").isNull();
    }

    @Test
    void nodeNotAcceptingTheServiceTakesNoNewCalls() {
        assertThat(eligibility.whyNotNew(dynamic(state("a", NodeStatus.ACTIVE, CONF, Set.of()), Set.of()), conference))
                .isEqualTo("not-accepting");
    }

    @Test
    void downNodeTakesNothing() {
        health.put("a", HealthState.DOWN);
        NodeEntry n = dynamic(state("a", NodeStatus.ACTIVE, CONF, Set.of("conference")), Set.of());
        assertThat(eligibility.whyNotNew(n, conference)).isEqualTo("down");
        assertThat(eligibility.whyNotJoin(n, conference)).isEqualTo("down");
    }

    @Test
    void staticNodeWithoutAgentIsEligibleOnHealthUnlessAnAgentIsRequired() {
        NodeEntry s = new NodeEntry("s", "sip:127.0.0.1:5090", 1, true, Optional.empty(), Set.of(), null);
        assertThat(eligibility.whyNotNew(s, conference)).isNull();
        Eligibility strict = new Eligibility(true, FarmHealth.unprobed(() -> java.util.Set.of("a", "b", "s"), clock::get),
                localMarks);
        assertThat(strict.whyNotNew(s, conference)).isEqualTo("no-agent");
        health.put("s", HealthState.DOWN);
        assertThat(eligibility.whyNotNew(s, conference)).isEqualTo("down");
    }
}
