package io.roundhouse.router.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.health.HealthProber;
import io.roundhouse.router.health.HealthSettings;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-node gauges follow the router's view of a farm in a real Redis. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FarmGaugesTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    DispatchSetup dispatch;

    @AfterEach
    void stop() {
        if (dispatch != null) {
            dispatch.close();
        }
    }

    @Test
    void gaugesShowEachNodesStateLoadScoreAndFullMarksAndFollowAControl() throws Exception {
        RedisState state = redis.open();
        Set<String> apps = Set.of("Default");
        state.nodes().publish(new NodeState("asterisk-1", "sip:127.0.0.1:5081", NodeStatus.ACTIVE, 30, 120, 45.0,
                Map.of(), apps, apps, "22.10.1", "test", System.currentTimeMillis()), Duration.ofSeconds(30));
        state.marks().markFull("asterisk-1", "default", Duration.ofSeconds(30));
        state.nodes().publish(new NodeState("asterisk-2", "sip:127.0.0.1:5082", NodeStatus.UNREACHABLE, 0, 120, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "test", System.currentTimeMillis(), false, false),
                Duration.ofSeconds(30));
        PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
        dispatch = DispatchSetup.start(TestRouters.live("""
                nodes: [ { id: static-1, uri: "sip:127.0.0.1:5090" } ]
                services: [ { name: default, app: Default, strategy: least-loaded } ]
                health: { enabled: false }
                dispatch: { refresh-interval: 100ms }
                """), registry, null, redis.settings());
        LiveFarm farm = new LiveFarm(dispatch, System::currentTimeMillis);
        new FarmGauges(registry, farm).watch(dispatch);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(registry.scrape())
                .contains("roundhouse_node_up{node=\"asterisk-1\"} 1.0")
                .contains("roundhouse_node_state{node=\"asterisk-1\",state=\"ready\"} 1.0")
                .contains("roundhouse_node_state{node=\"asterisk-1\",state=\"down\"} 0.0")
                .contains("roundhouse_node_channels{node=\"asterisk-1\"} 30.0")
                .contains("roundhouse_node_channels_max{node=\"asterisk-1\"} 120.0")
                .contains("roundhouse_node_cpu_ratio{node=\"asterisk-1\"} 0.45")
                .contains("roundhouse_node_full{node=\"asterisk-1\",service=\"default\"} 1.0")
                .contains("roundhouse_node_score{node=\"static-1\",service=\"default\"}")
                .contains("# HELP roundhouse_node_up ")
                .contains("roundhouse_node_up{node=\"asterisk-2\"} 0.0")
                .contains("roundhouse_node_channels_max{node=\"asterisk-2\"} 120.0")
                .as("an agent that cannot count its channels gives no 0 nobody counted")
                .doesNotContain("roundhouse_node_channels{node=\"asterisk-2\"}")
                .doesNotContain("roundhouse_node_cpu_ratio{node=\"asterisk-2\"}"));

        farm.control("static-1", NodeAction.DISABLE);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(registry.scrape())
                .contains("roundhouse_node_state{node=\"static-1\",state=\"disabled\"} 1.0")
                .doesNotContain("roundhouse_node_score{node=\"static-1\""));
        assertThat(registry.scrape()).contains("roundhouse_redis_command_seconds_count{operation=\"read nodes\"}")
                .contains("# HELP roundhouse_redis_command_seconds ");
    }

    @Test
    void aRouterWithoutLiveDispatchHasGaugesOfItsStaticNodesFromProbing() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        HealthProber prober = new HealthProber(new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2),
                1, 1, 3, Duration.ofSeconds(30)), () -> Map.of("a", "sip:127.0.0.1:5081", "b", "sip:127.0.0.1:5082"),
                uri -> CompletableFuture.completedFuture(uri.endsWith("5081") ? 200 : 408), clock::get);
        prober.tick();
        PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
        StaticFarm farm = new StaticFarm(() -> List.of(new StaticNode("a", "sip:127.0.0.1:5081", 1),
                new StaticNode("b", "sip:127.0.0.1:5082", 1)), prober);
        try (FarmGauges gauges = new FarmGauges(registry, farm).every(Duration.ofMillis(50))) {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(registry.scrape())
                    .contains("roundhouse_node_up{node=\"a\"} 1.0")
                    .contains("roundhouse_node_up{node=\"b\"} 0.0")
                    .contains("roundhouse_node_state{node=\"b\",state=\"down\"} 1.0"));
        }
    }
}
