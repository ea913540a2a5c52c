package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live dispatch (services:, node state in real Redis) with a sipp node that answers OPTIONS but swallows INVITEs: it
 * costs three calls the failover timeout, then is held down by passive health although probing keeps it UP.
 */
@Timeout(90)
class SwallowingNodeLiveDispatchSippIT {

    static final Duration BOUND = Duration.ofSeconds(40);
    static final int CALLS = 20;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    static NodeState node(String id, SippProcess sipp) {
        return new NodeState(id, "sip:127.0.0.1:" + sipp.localPort(), NodeStatus.ACTIVE, 0, 100, 0, Map.of(),
                Set.of("Default"), Set.of("Default"), "22.10.1", "sipp", System.currentTimeMillis());
    }

    @Test
    void aSwallowingNodeCostsThreeCallsThenNone() {
        RedisState state = redis.open();
        try (SippProcess swallowing = SippProcess.scenario("uas_swallow.xml").maxDuration(BOUND).traceMessages()
                .extraArgs("-aa").start();
             SippProcess good = SippProcess.scenario("uas.xml").maxDuration(BOUND).extraArgs("-aa").start()) {
            state.nodes().publish(node("asterisk-1", swallowing), Duration.ofMinutes(1));
            state.nodes().publish(node("asterisk-2", good), Duration.ofMinutes(1));
            RouterConfig cfg = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:127.0.0.1:0" ]
                      timers: { failover-timeout: 300ms }
                    nodes: []
                    services: [ { name: default, app: Default, strategy: round-robin } ]
                    health: { interval: 500ms, timeout: 300ms }
                    dispatch: { refresh-interval: 200ms }
                    """);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (DispatchSetup dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
                 Router router = Router.start(cfg, dispatch.dispatcher(), registry)) {
                dispatch.probeWith(router::sendOptions);
                await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 2
                        && dispatch.prober().state("asterisk-1") == HealthState.UP);
                SippResult result;
                try (SippProcess caller = SippProcess.scenario("uac.xml")
                        .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(CALLS).rate(10)
                        .callDuration(Duration.ofMillis(50)).maxDuration(BOUND).extraArgs("-l", "1").start()) {
                    result = caller.awaitExit();
                }
                assertThat(result.successfulCalls()).as("%s", result).isEqualTo(CALLS);
                assertThat(result.failedCalls()).as("%s", result).isZero();
                List<String> swallowed = swallowing.messages().receivedRequests("INVITE").stream()
                        .map(e -> e.headerLines("Call-ID").get(0)).distinct().toList();
                assertThat(swallowed).hasSize(3);
                assertThat(dispatch.prober().state("asterisk-1")).isEqualTo(HealthState.UP);
                assertThat(registry.get("roundhouse.dispatch.nodes.down").gauge().value()).isEqualTo(1.0);
            }
        }
    }
}
