package io.roundhouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.agent.fakes.ami.AmiScenario;
import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import io.roundhouse.agent.config.AgentConfig;
import io.roundhouse.agent.config.DrainSettings;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole agent against real Redis and the fake AMI replaying the 22.10.1 captures. */
class AgentRedisTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private FakeAmiServer fake;
    private Agent agent;

    @BeforeEach
    void startFake() throws Exception {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        fake.close();
    }

    private Optional<NodeState> published(RedisState state) {
        return state.nodes().read(AgentFixture.NODE);
    }

    @Test
    void publishedStateEqualsTheFakeNodesState() {
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        RedisState state = redis.open();
        agent = AgentFixture.agent(AgentFixture.config(fake.port(), redis.settings(), Duration.ofSeconds(5)),
                Agent.Contract.of(state));
        agent.start();

        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).map(NodeState::channels).orElse(-1) == 2);
        NodeState node = published(state).orElseThrow();
        assertThat(node.rooms()).isEqualTo(Map.of("1000", 2));
        assertThat(node.status()).isEqualTo(NodeStatus.ACTIVE);
        assertThat(node.asteriskVersion()).isEqualTo("22.10.1");
        assertThat(node.sipUri()).isEqualTo("sip:127.0.0.1:5090");
        assertThat(node.maxChannels()).isEqualTo(200);
        assertThat(node.apps()).as("no ari section: no Stasis application").isEmpty();
        assertThat(node.accepting()).isEmpty();

        // The calls end (captured events): the change reaches Redis within the debounce, well under a second.
        fake.scenario(AmiScenario.IDLE);
        long sent = System.nanoTime();
        fake.inject(AgentFixture.twoCallersLeave());
        await().atMost(Duration.ofSeconds(1)).until(() -> published(state)
                .filter(n -> n.channels() == 0 && n.rooms().isEmpty()).isPresent());
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void amiDroppedTheAgentReconnectsResynchronizesAndPublishesTheRightCounts() {
        RedisState state = redis.open();
        agent = AgentFixture.agent(AgentFixture.config(fake.port(), redis.settings(), Duration.ofSeconds(5)),
                Agent.Contract.of(state));
        agent.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent() && fake.logins() == 1);
        assertThat(published(state).orElseThrow().channels()).isZero();

        // Two callers arrive while the AMI connection is down: only the resynchronization can see them.
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        fake.dropConnections();

        await().atMost(Duration.ofSeconds(5)).until(() -> fake.logins() == 2
                && published(state).map(NodeState::channels).orElse(-1) == 2);
        assertThat(published(state).orElseThrow().rooms()).isEqualTo(Map.of("1000", 2));
        assertThat(agent.load().asteriskReachable()).isTrue();
    }

    @Test
    void redisStoppedAndRestartedTheNodeReappearsWithCurrentState() {
        try (PrivateRedis server = TestRedis.startPrivate();
             RedisState state = new RedisState(server.settings(TestRedis.newPrefix()))) {
            agent = AgentFixture.agent(AgentFixture.config(fake.port(), state.settings(), Duration.ofSeconds(5)),
                    Agent.Contract.of(state));
            agent.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());

            server.stop();
            // The node changes while Redis is away: the agent must keep the state and publish it on return.
            fake.inject(AgentFixture.twoCallersJoin());
            await().atMost(Duration.ofSeconds(2)).until(() -> agent.load().channels() == 2);
            server.start(); // same port, empty dataset

            await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());
            NodeState back = published(state).orElseThrow();
            assertThat(back.channels()).isEqualTo(2);
            assertThat(back.rooms()).isEqualTo(Map.of("1000", 2));

            agent.close();
            agent = null;
            assertThat(published(state)).isEmpty();
        }
    }

    @Test
    void sigtermDrainsPublishesDrainedAndLeaves() throws Exception {
        RedisState state = redis.open();
        AgentFixture.RecordingNodeStates recorded = new AgentFixture.RecordingNodeStates(state.nodes());
        agent = AgentFixture.agent(AgentFixture.config(fake.port(), redis.settings(), Duration.ofSeconds(20)),
                new Agent.Contract(recorded, state.controls(), state.events(), state.placements()));
        agent.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());
        fake.inject(AgentFixture.twoCallersJoin());
        await().atMost(Duration.ofSeconds(2)).until(() -> published(state).map(NodeState::channels).orElse(-1) == 2);

        // What the shutdown hook runs.
        CompletableFuture<Void> sigterm = CompletableFuture.runAsync(agent::drainAndStop);
        await().atMost(Duration.ofSeconds(2)).until(() -> published(state).map(NodeState::status)
                .orElse(null) == NodeStatus.DRAINING);
        assertThat(sigterm).as("existing calls keep the agent up").isNotDone();
        assertThat(published(state).orElseThrow().accepting()).isEmpty();

        fake.inject(AgentFixture.twoCallersLeave());
        sigterm.get(5, TimeUnit.SECONDS);

        assertThat(recorded.written).extracting(NodeState::status).containsSubsequence(NodeStatus.ACTIVE,
                NodeStatus.DRAINING, NodeStatus.DRAINED);
        NodeState last = recorded.written.get(recorded.written.size() - 1);
        assertThat(last.status()).isEqualTo(NodeStatus.DRAINED);
        assertThat(last.channels()).isZero();
        assertThat(published(state)).as("a cleanly stopped agent removes its node").isEmpty();
    }

    @Test
    void sigtermWithCallsThatNeverEndStopsAtTheDrainTimeout() throws Exception {
        RedisState state = redis.open();
        agent = AgentFixture.agent(AgentFixture.config(fake.port(), redis.settings(), Duration.ofMillis(700)),
                Agent.Contract.of(state));
        agent.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());
        fake.inject(AgentFixture.twoCallersJoin());
        await().atMost(Duration.ofSeconds(2)).until(() -> agent.load().channels() == 2);

        long start = System.nanoTime();
        agent.drainAndStop();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).isBetween(600L, 4_000L);
        assertThat(published(state)).isEmpty();
    }

    @Test
    @Timeout(20)
    void sigtermWithAsteriskUnreachableStopsAfterTheUnreachableTimeoutSayingTheCountIsUnknown() throws Exception {
        RedisState state = redis.open();
        AgentConfig config = AgentFixture.config(fake.port(), redis.settings(), Duration.ofSeconds(60));
        config = new AgentConfig(config.node(), config.redis(), config.ami(), config.publish(),
                new DrainSettings(Duration.ofSeconds(60), Duration.ofMillis(800)), config.ari(), config.services(),
                config.metrics());
        agent = AgentFixture.agent(config, Agent.Contract.of(state));
        agent.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());
        fake.inject(AgentFixture.twoCallersJoin());
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).map(NodeState::channels).orElse(0) == 2);
        fake.suspend(); // Asterisk gone with 2 calls counted: that count is now stale
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).map(NodeState::status)
                .orElse(null) == NodeStatus.UNREACHABLE);

        long start = System.nanoTime();
        agent.drainAndStop();
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(tookMs).as("drain.unreachable-timeout, not drain.timeout").isBetween(700L, 5_000L);
        assertThat(published(state)).isEmpty();
    }

    @Test
    void operatorDrainAndUndrainThroughRedis() {
        RedisState state = redis.open();
        agent = AgentFixture.agent(AgentFixture.config(fake.port(), redis.settings(), Duration.ofSeconds(5)),
                Agent.Contract.of(state));
        agent.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());
        fake.inject(AgentFixture.twoCallersJoin());

        state.controls().set(AgentFixture.NODE, NodeStatus.DRAINING);
        await().atMost(Duration.ofSeconds(3)).until(() -> published(state)
                .filter(n -> n.status() == NodeStatus.DRAINING && n.channels() == 2).isPresent());

        fake.inject(AgentFixture.twoCallersLeave());
        await().atMost(Duration.ofSeconds(2)).until(() -> published(state).map(NodeState::status)
                .orElse(null) == NodeStatus.DRAINED);

        state.controls().clear(AgentFixture.NODE);
        await().atMost(Duration.ofSeconds(3)).until(() -> published(state).map(NodeState::status)
                .orElse(null) == NodeStatus.ACTIVE);
    }

    @Test
    void aMistypedOperatorControlIsIgnoredAndTheNodeStaysPublished() {
        RedisState state = redis.open();
        agent = AgentFixture.agent(AgentFixture.config(fake.port(), redis.settings(), Duration.ofSeconds(5)),
                Agent.Contract.of(state));
        agent.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> published(state).isPresent());

        redis.jedis().set(redis.prefix() + "control:" + AgentFixture.NODE, "drainng");

        // Longer than the publish TTL (3 s): a node that stopped heartbeating would be gone by then.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> published(state)
                .map(NodeState::status).orElse(null) == NodeStatus.ACTIVE);
    }
}
