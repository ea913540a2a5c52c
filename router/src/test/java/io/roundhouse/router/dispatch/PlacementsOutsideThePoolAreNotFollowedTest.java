package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A service's {@code nodes:} pool holds for rooms already placed in Redis: a placement naming a node outside the pool
 * (placed before a config edit separated the tenants) is not followed, and the room is moved into the pool by the
 * contract's compare-and-set move.
 */
@Timeout(30)
class PlacementsOutsideThePoolAreNotFollowedTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    static final String CONFIG = """
            nodes: [ { id: asterisk-1 }, { id: asterisk-2 } ]
            services:
              - name: tenant-a
                match: { ruri-host: "^a\\\\.example$", ruri-user: "^conf-(?<room>[0-9]+)$" }
                app: Conference
                app-data: "${room}"
                affinity: "${ruri-host}:${room}"
                nodes: [ asterisk-1, asterisk-2 ]
            health: { enabled: false }
            dispatch: { refresh-interval: 100ms, redis-timeout: 2s }
            """;

    static final Duration TTL = Duration.ofSeconds(30);

    DispatchSetup router;

    @AfterEach
    void close() {
        if (router != null) {
            router.close();
        }
    }

    static NodeState node(String id, int port, Map<String, Integer> rooms) {
        return new NodeState(id, "sip:127.0.0.1:" + port, NodeStatus.ACTIVE, 0, 100, 0, rooms, Set.of("Conference"),
                Set.of("Conference"), "22.10.1", "test", System.currentTimeMillis());
    }

    RedisState farmOfThree(Map<String, Integer> roomsOnThree) throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", 5081, Map.of()), TTL);
        state.nodes().publish(node("asterisk-2", 5082, Map.of()), TTL);
        state.nodes().publish(node("asterisk-3", 5083, roomsOnThree), TTL);
        router = DispatchSetup.start(TestRouters.live(CONFIG), new SimpleMeterRegistry(),
                null, redis.settings());
        await().atMost(Duration.ofSeconds(5)).until(() -> router.view().current().byId().keySet()
                .equals(Set.of("asterisk-1", "asterisk-2", "asterisk-3")));
        return state;
    }

    DispatchTarget select(TestCall call) throws Exception {
        return router.dispatcher().select(call).toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
    }

    @Test
    void inviteToARoomPlacedOutsideThePoolIsPlacedInsideIt() throws Exception {
        RedisState state = farmOfThree(Map.of());
        assertThat(state.placements().claim("a.example:7", "asterisk-3").won()).isTrue();

        DispatchTarget t = select(TestCall.invite("c1", "conf-7", "a.example"));

        assertThat(t.nodeId()).isIn("asterisk-1", "asterisk-2");
        assertThat(state.placements().lookup("a.example:7")).contains(t.nodeId());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(state.decisions().recent(10))
                .anyMatch(l -> l.contains("call-id=c1 ") && l.contains("reason=affinity-moved")));
    }

    @Test
    void laterJoinsFollowTheRoomInsideThePool() throws Exception {
        RedisState state = farmOfThree(Map.of());
        state.placements().claim("a.example:8", "asterisk-3");
        DispatchTarget first = select(TestCall.invite("c1", "conf-8", "a.example"));

        for (int i = 0; i < 5; i++) {
            assertThat(select(TestCall.invite("j" + i, "conf-8", "a.example")).nodeId()).isEqualTo(first.nodeId());
        }
    }

    @Test
    void aRequestThatPlacesNoRoomIsNotSentOutsideThePoolEither() throws Exception {
        RedisState state = farmOfThree(Map.of());
        state.placements().claim("a.example:9", "asterisk-3");
        TestCall message = new TestCall("MESSAGE", "m1", "conf-9", "a.example", "alice", "conf-9", Map.of(),
                new java.net.InetSocketAddress("127.0.0.1", 5999));

        assertThat(select(message).nodeId()).isIn("asterisk-1", "asterisk-2");
        assertThat(state.placements().lookup("a.example:9")).as("only an INVITE moves a room").contains("asterisk-3");
    }

    @Test
    void aRoomLiveOnlyOnANodeOutsideThePoolIsNotRecoveredThere() throws Exception {
        RedisState state = farmOfThree(Map.of("a.example:10", 4));

        DispatchTarget t = select(TestCall.invite("c1", "conf-10", "a.example"));

        assertThat(t.nodeId()).isIn("asterisk-1", "asterisk-2");
        assertThat(state.placements().lookup("a.example:10")).contains(t.nodeId());
    }
}
