package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A room placed in Redis on a node that a config edit took out of the service's pool: sipp callers' calls to it go to
 * a node of the pool (the room is moved there in Redis), none to the node outside it.
 */
@Timeout(90)
class PlacementOutsideThePoolSippIT {

    static final Duration BOUND = Duration.ofSeconds(40);
    static final int CALLS = 10;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    static NodeState node(String id, SippProcess sipp) {
        return new NodeState(id, "sip:127.0.0.1:" + sipp.localPort(), NodeStatus.ACTIVE, 0, 100, 0, Map.of(),
                Set.of("Conference"), Set.of("Conference"), "22.10.1", "sipp", System.currentTimeMillis());
    }

    @Test
    void callsToARoomPlacedOutsideThePoolReachOnlyOneNodeOfThePool() {
        RedisState state = redis.open();
        try (SippProcess one = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             SippProcess two = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             SippProcess outside = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start()) {
            state.nodes().publish(node("asterisk-1", one), Duration.ofMinutes(1));
            state.nodes().publish(node("asterisk-2", two), Duration.ofMinutes(1));
            state.nodes().publish(node("asterisk-3", outside), Duration.ofMinutes(1));
            // Placed before the edit that gave the service its pool.
            assertThat(state.placements().claim("127.0.0.1:1000", "asterisk-3").won()).isTrue();
            RouterConfig cfg = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:127.0.0.1:0" ]
                    nodes: [ { id: asterisk-1 }, { id: asterisk-2 } ]
                    services:
                      - name: conference
                        match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                        app: Conference
                        app-data: "${room}"
                        affinity: "${ruri-host}:${room}"
                        nodes: [ asterisk-1, asterisk-2 ]
                    health: { enabled: false }
                    dispatch: { refresh-interval: 200ms }
                    """);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (DispatchSetup dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
                 Router router = Router.start(cfg, dispatch.dispatcher(), registry)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 3);
                SippResult result;
                try (SippProcess caller = SippProcess.scenario("uac.xml")
                        .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(CALLS).rate(10)
                        .maxDuration(BOUND).extraArgs("-s", "conf-1000").start()) {
                    result = caller.awaitExit();
                }
                assertThat(result.successfulCalls()).as("%s", result).isEqualTo(CALLS);
                assertThat(result.failedCalls()).as("%s", result).isZero();
                assertThat(outside.messages().receivedRequests("INVITE")).isEmpty();
                String owner = state.placements().lookup("127.0.0.1:1000").orElseThrow();
                assertThat(owner).isIn("asterisk-1", "asterisk-2");
                SippProcess ownerSipp = owner.equals("asterisk-1") ? one : two;
                SippProcess other = owner.equals("asterisk-1") ? two : one;
                assertThat(ownerSipp.messages().receivedRequests("INVITE")).hasSize(CALLS);
                assertThat(other.messages().receivedRequests("INVITE")).isEmpty();
            }
        }
    }
}
