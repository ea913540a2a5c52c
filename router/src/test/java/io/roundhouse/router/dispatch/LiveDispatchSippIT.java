package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.sipp.SippMessageLog;
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
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live dispatch with sipp, a SIP peer nobody here wrote, on both sides: sipp callers through the router to sipp
 * backends standing in for Asterisk nodes, node state in real Redis as agents publish it.
 */
class LiveDispatchSippIT {

    static final Duration BOUND = Duration.ofSeconds(40);
    static final int CALLS = 20;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    static NodeState node(String id, SippProcess sipp, int channels) {
        return new NodeState(id, "sip:127.0.0.1:" + sipp.localPort(), NodeStatus.ACTIVE, channels, 100, 0, Map.of(),
                Set.of("Conference", "Default"), Set.of("Conference", "Default"), "22.10.1", "sipp",
                System.currentTimeMillis());
    }

    static List<SippMessageLog.Entry> invites(SippProcess sipp) {
        return sipp.messages().receivedRequests("INVITE");
    }

    @Test
    void roomBouncedBySippWith503MovesAndEveryCallOfTheRoomSucceedsOnOneNode() {
        RedisState state = redis.open();
        try (SippProcess full = SippProcess.scenario("uas_503.xml").calls(1_000).maxDuration(BOUND).traceMessages()
                .start();
             SippProcess good = SippProcess.scenario("uas.xml").calls(1_000).maxDuration(BOUND).traceMessages()
                     .start();
             SippProcess other = SippProcess.scenario("uas.xml").calls(1_000).maxDuration(BOUND).traceMessages()
                     .start()) {
            // The bouncing node looks lightest: least-loaded tries it first for the new room.
            state.nodes().publish(node("asterisk-1", full, 0), Duration.ofMinutes(1));
            state.nodes().publish(node("asterisk-2", good, 10), Duration.ofMinutes(1));
            state.nodes().publish(node("asterisk-3", other, 20), Duration.ofMinutes(1));
            RouterConfig cfg = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:127.0.0.1:0" ]
                    nodes: [ { id: asterisk-1 }, { id: asterisk-2 }, { id: asterisk-3 } ]
                    services:
                      - name: conference
                        match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                        app: Conference
                        app-data: "${room}"
                        affinity: "${ruri-host}:${room}"
                      - { name: default, app: Default, strategy: round-robin, nodes: [ asterisk-2, asterisk-3 ] }
                    dispatch: { refresh-interval: 200ms }
                    """);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (DispatchSetup dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
                 Router router = Router.start(cfg, dispatch.dispatcher(), registry)) {
                dispatch.probeWith(router::sendOptions);
                await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 3);
                InetSocketAddress routerAddress = new InetSocketAddress("127.0.0.1", router.port());
                SippResult room;
                SippResult plain;
                try (SippProcess roomCaller = SippProcess.scenario("uac.xml").remote(routerAddress).calls(CALLS)
                        .rate(20).maxDuration(BOUND).extraArgs("-s", "conf-1000").start();
                     SippProcess plainCaller = SippProcess.scenario("uac.xml").remote(routerAddress).calls(CALLS)
                             .rate(20).maxDuration(BOUND).extraArgs("-s", "5555").start()) {
                    room = roomCaller.awaitExit();
                    plain = plainCaller.awaitExit();
                }
                assertThat(room.successfulCalls()).as("%s", room).isEqualTo(CALLS);
                assertThat(room.failedCalls()).as("%s", room).isZero();
                assertThat(plain.successfulCalls()).as("%s", plain).isEqualTo(CALLS);
                assertThat(plain.failedCalls()).as("%s", plain).isZero();
                String owner = state.placements().lookup("127.0.0.1:1000").orElseThrow();
                assertThat(owner).isIn("asterisk-2", "asterisk-3");
                SippProcess ownerSipp = owner.equals("asterisk-2") ? good : other;
                SippProcess notOwner = owner.equals("asterisk-2") ? other : good;
                assertThat(invites(ownerSipp).stream().filter(e -> e.headerLines("X-Exec-App-Data").contains("1000"))
                        .count()).as("room calls on its node").isEqualTo(CALLS);
                assertThat(invites(notOwner)).isNotEmpty().allSatisfy(e -> assertThat(e.headerLines("X-Exec-App"))
                        .containsExactly("Default"));
                // Calls placed while the first 503 was on its way met the full node too (and were moved on); once the
                // room moved, its joins went straight to the new node: the second half never met the full node.
                List<String> bounced = invites(full).stream()
                        .map(e -> e.headerLines("Call-ID").get(0)).distinct().toList();
                assertThat(bounced).isNotEmpty().allSatisfy(id -> assertThat(Integer.parseInt(id.substring(0,
                        id.indexOf('-')))).as(id).isLessThanOrEqualTo(CALLS / 2));
                // The 503 came with Retry-After: the node is marked full for the service in Redis, for every router.
                assertThat(state.marks().fullServices("asterisk-1")).contains("conference");
            }
            full.stop();
            good.stop();
            other.stop();
        }
    }
}
