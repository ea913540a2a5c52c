package io.roundhouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import io.roundhouse.agent.fakes.ari.FakeAriRest;
import io.roundhouse.agent.fakes.ari.FakeAsterisk;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Eyes and hands together: the published readiness follows both the AMI and the ARI connections. */
class AgentReadinessTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private FakeAmiServer ami;
    private final FakeAsterisk ari = new FakeAsterisk();
    private Agent agent;
    private RedisState state;

    @BeforeEach
    void start() throws Exception {
        ami = FakeAmiServer.start("roundhouse", "s3cret");
        state = redis.open();
        AriSettings ariSettings = new AriSettings(ari.url(), FakeAriRest.USER, FakeAriRest.PASSWORD,
                List.of("Conference", "Echo"), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1));
        agent = AgentFixture.agent(AgentFixture.config(ami.port(), redis.settings(), Duration.ofSeconds(5),
                Optional.of(ariSettings)), Agent.Contract.of(state));
        agent.start();
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
        ari.close();
        ami.close();
    }

    private Optional<NodeState> published() {
        return state.nodes().read(AgentFixture.NODE);
    }

    private void awaitReady() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            NodeState n = published().orElseThrow(() -> new AssertionError("node not published"));
            assertThat(n.apps()).as(n.toString()).isEqualTo(Set.of("Conference", "Echo"));
            assertThat(n.accepting()).as(n.toString()).isEqualTo(Set.of("Conference", "Echo"));
        });
    }

    @Test
    void aNodeWhoseAriConnectionDropsIsNotReadyWithinASecond() {
        awaitReady();

        ari.events().refuse(true);
        long lost = System.nanoTime();
        ari.events().drop();
        await().atMost(Duration.ofSeconds(2)).until(() -> published()
                .filter(n -> n.apps().isEmpty() && n.accepting().isEmpty()).isPresent());
        assertThat(Duration.ofNanos(System.nanoTime() - lost)).isLessThan(Duration.ofMillis(1_500));

        ari.events().refuse(false);
        awaitReady();
    }

    @Test
    void aNodeWhoseAsteriskIsUnreachableOverAmiTakesNoCalls() throws Exception {
        awaitReady();

        ami.suspend();
        await().atMost(Duration.ofSeconds(1)).until(() -> published()
                .filter(n -> n.status() == NodeStatus.UNREACHABLE).isPresent());
        NodeState out = published().orElseThrow();
        assertThat(out.apps()).isEmpty();
        assertThat(out.accepting()).isEmpty();
        assertThat(out.channelsKnown()).as("unknown, not the last count").isFalse();
        assertThat(out.cpuKnown()).isFalse();
        try (var jedis = redis.jedis()) {
            assertThat(jedis.hget(redis.prefix() + "node:" + AgentFixture.NODE, "channels")).isEqualTo("unknown");
        }

        ami.resume();
        awaitReady();
    }
}
