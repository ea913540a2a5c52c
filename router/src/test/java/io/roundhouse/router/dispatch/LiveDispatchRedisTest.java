package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live dispatch against a real Redis, with node state written through the shared contract as agents write it. The
 * SIP side is the {@link Dispatcher} seam itself (what the proxy calls); end-to-end SIP runs are in the router's
 * integration tests.
 */
class LiveDispatchRedisTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    static final String CONFIG = """
            nodes: [ { id: asterisk-1 }, { id: asterisk-2 } ]
            services:
              - name: conference
                match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                app: Conference
                app-data: "${room}"
                affinity: "${ruri-host}:${room}"
              - name: support-desk
                match: { ruri-user: "^2[0-9]{3}$" }
                app: Queue
                app-data: "support"
                nodes: [ asterisk-1, asterisk-2 ]
                strategy: priority
              - name: default
                app: Default
                strategy: least-loaded
            health: { enabled: false }
            dispatch: { refresh-interval: 100ms, redis-timeout: 2s }
            """;

    static final Set<String> APPS = Set.of("Conference", "Queue", "Default");
    static final Duration TTL = Duration.ofSeconds(30);

    final List<DispatchSetup> routers = new ArrayList<>();

    @AfterEach
    void closeRouters() {
        routers.forEach(DispatchSetup::close);
    }

    DispatchSetup router(RedisSettings settings) throws Exception {
        DispatchSetup r = DispatchSetup.start(TestRouters.live(CONFIG), new SimpleMeterRegistry(), null, settings);
        routers.add(r);
        return r;
    }

    static NodeState node(String id, int port, NodeStatus status, int channels, double cpu, Map<String, Integer> rooms) {
        return new NodeState(id, "sip:127.0.0.1:" + port, status, channels, 100, cpu, rooms, APPS,
                Set.of("Conference", "Queue", "Default"), "22.10.1", "test", System.currentTimeMillis());
    }

    static NodeState active(String id, int port) {
        return node(id, port, NodeStatus.ACTIVE, 0, 0, Map.of());
    }

    static DispatchTarget target(DispatchSetup r, TestCall call) throws Exception {
        return r.dispatcher().select(call).toCompletableFuture().get(5, TimeUnit.SECONDS).orElseThrow();
    }

    static Optional<DispatchTarget> next(DispatchSetup r, TestCall call, DispatchTarget failed, AttemptOutcome o)
            throws Exception {
        return r.dispatcher().next(call, failed, o).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    static void awaitNodes(DispatchSetup r, String... ids) {
        await().atMost(Duration.ofSeconds(5)).until(() -> r.view().current().byId().keySet().equals(Set.of(ids)));
    }

    static TestCall conf(String callId, int room) {
        return TestCall.invite(callId, "conf-" + room, "example.com");
    }

    @Test
    void leastLoadedChoosesTheLighterNode() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", 5081, NodeStatus.ACTIVE, 80, 70, Map.of()), TTL);
        state.nodes().publish(node("asterisk-2", 5082, NodeStatus.ACTIVE, 10, 10, Map.of()), TTL);
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1", "asterisk-2");
        DispatchTarget t = target(r, TestCall.invite("c1", "5555", "example.com"));
        assertThat(t.nodeId()).isEqualTo("asterisk-2");
        assertThat(t.sipUri()).isEqualTo("sip:127.0.0.1:5082");
        assertThat(t.addHeaders()).containsEntry("X-Exec-App", "Default");
        // The lighter node keeps winning until this router's own picks make up the difference (70 channels).
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            counts.merge(target(r, TestCall.invite("d" + i, "5555", "h")).nodeId(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("asterisk-2");
    }

    @Test
    void priorityFailsOverToTheBackupWhenThePrimaryLeavesAndComesBack() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(active("asterisk-2", 5082), TTL);
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1", "asterisk-2");
        assertThat(target(r, TestCall.invite("c1", "2001", "h")).nodeId()).isEqualTo("asterisk-1");
        state.nodes().publish(node("asterisk-1", 5081, NodeStatus.DISABLED, 0, 0, Map.of()), TTL);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(target(r, TestCall.invite("c2", "2002", "h")).nodeId()).isEqualTo("asterisk-2"));
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(target(r, TestCall.invite("c3", "2003", "h")).nodeId()).isEqualTo("asterisk-1"));
    }

    @Test
    void expiredNodeGetsNothing() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(active("asterisk-9", 5089), Duration.ofMillis(300));
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1");
        for (int i = 0; i < 30; i++) {
            assertThat(target(r, TestCall.invite("c" + i, "5555", "h")).nodeId()).isEqualTo("asterisk-1");
            assertThat(target(r, conf("k" + i, 100 + i)).nodeId()).isEqualTo("asterisk-1");
        }
    }

    @Test
    void roomOnANodeThatExpiredIsMovedToALiveNodeByCompareAndSet() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(node("asterisk-2", 5082, NodeStatus.ACTIVE, 1, 0, Map.of("example.com:5", 1)),
                Duration.ofMillis(300));
        state.placements().claim("example.com:5", "asterisk-2");
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1");
        DispatchTarget t = target(r, conf("c1", 5));
        assertThat(t.nodeId()).isEqualTo("asterisk-1");
        assertThat(state.placements().lookup("example.com:5")).contains("asterisk-1");
        // Decisions reach Redis on their own thread.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(state.decisions().recent(10))
                .anyMatch(l -> l.contains("call-id=c1 ") && l.contains("reason=affinity-moved")
                        && l.contains("asterisk-2:placed-but-gone")));
    }

    @Test
    void roomWithoutPlacementButLiveOnANodeGoesBackToThatNode() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(node("asterisk-2", 5082, NodeStatus.ACTIVE, 40, 40, Map.of("example.com:9", 3)), TTL);
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1", "asterisk-2");
        assertThat(target(r, conf("c1", 9)).nodeId()).as("where its participants are, not the lighter node")
                .isEqualTo("asterisk-2");
        assertThat(state.placements().lookup("example.com:9")).contains("asterisk-2");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(state.decisions().recent(10))
                .anyMatch(l -> l.contains("reason=affinity-recovered")));
    }

    @Test
    void nodeWhoseStasisAppDroppedGetsNoCallsOfThatService() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(new NodeState("asterisk-2", "sip:127.0.0.1:5082", NodeStatus.ACTIVE, 0, 100, 0, Map.of(),
                Set.of("Queue", "Default"), Set.of("Queue", "Default"), "", "", 1), TTL);
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1", "asterisk-2");
        for (int i = 0; i < 10; i++) {
            assertThat(target(r, conf("c" + i, i)).nodeId()).isEqualTo("asterisk-1");
        }
    }

    @Test
    void drainingNodeGetsNoNewRoomsButGetsJoinsToItsRooms() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(node("asterisk-2", 5082, NodeStatus.DRAINING, 3, 0, Map.of("example.com:1000", 3)), TTL);
        assertThat(state.placements().claim("example.com:1000", "asterisk-2").won()).isTrue();
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1", "asterisk-2");
        for (int i = 0; i < 5; i++) {
            assertThat(target(r, conf("join" + i, 1000)).nodeId()).as("join to its room").isEqualTo("asterisk-2");
        }
        for (int i = 0; i < 10; i++) {
            assertThat(target(r, conf("new" + i, 2000 + i)).nodeId()).as("new room").isEqualTo("asterisk-1");
            assertThat(target(r, TestCall.invite("d" + i, "5555", "h")).nodeId()).isEqualTo("asterisk-1");
        }
        assertThat(state.placements().lookup("example.com:1000")).contains("asterisk-2");
    }

    @Test
    void roomBouncedWith503MovesAndLaterJoinsFollowItOnEveryRouter() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", 5081), TTL);
        state.nodes().publish(active("asterisk-2", 5082), TTL);
        DispatchSetup a = router(redis.settings());
        DispatchSetup b = router(redis.settings());
        awaitNodes(a, "asterisk-1", "asterisk-2");
        awaitNodes(b, "asterisk-1", "asterisk-2");
        TestCall first = conf("c1", 42);
        DispatchTarget t1 = target(a, first);
        assertThat(state.placements().lookup("example.com:42")).contains(t1.nodeId());
        DispatchTarget t2 = next(a, first, t1, new AttemptOutcome(503, Optional.of(Duration.ofSeconds(30))))
                .orElseThrow();
        assertThat(t2.nodeId()).isNotEqualTo(t1.nodeId());
        assertThat(state.placements().lookup("example.com:42")).contains(t2.nodeId());
        await().atMost(Duration.ofSeconds(5)).until(() -> state.marks().fullServices(t1.nodeId())
                .contains("conference"));
        for (int i = 0; i < 5; i++) {
            assertThat(target(a, conf("ja" + i, 42)).nodeId()).isEqualTo(t2.nodeId());
            assertThat(target(b, conf("jb" + i, 42)).nodeId()).isEqualTo(t2.nodeId());
        }
        // The full mark reached the other router through Redis: its new rooms avoid the bouncing node too.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(b.view().current().node(t1.nodeId()).orElseThrow().fullServices()).contains("conference"));
        for (int i = 0; i < 5; i++) {
            assertThat(target(b, conf("n" + i, 500 + i)).nodeId()).isEqualTo(t2.nodeId());
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(state.decisions().recent(100))
                .anyMatch(l -> l.contains("call-id=c1 ") && l.contains("reason=affinity-moved")));
    }

    @Test
    void bouncedJoinToARoomWithLiveParticipantsIsNotMoved() throws Exception {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", 5081, NodeStatus.ACTIVE, 2, 0, Map.of("example.com:7", 2)), TTL);
        state.nodes().publish(active("asterisk-2", 5082), TTL);
        state.placements().claim("example.com:7", "asterisk-1");
        DispatchSetup r = router(redis.settings());
        awaitNodes(r, "asterisk-1", "asterisk-2");
        TestCall join = conf("j1", 7);
        DispatchTarget t = target(r, join);
        assertThat(t.nodeId()).isEqualTo("asterisk-1");
        assertThat(next(r, join, t, new AttemptOutcome(503, Optional.of(Duration.ofSeconds(5))))).isEmpty();
        assertThat(state.placements().lookup("example.com:7")).contains("asterisk-1");
    }

    @Test
    void twoRoutersSharingRedisPutEachOf20RoomsOnExactlyOneNode() throws Exception {
        RedisState state = redis.open();
        for (int n = 1; n <= 3; n++) {
            state.nodes().publish(active("asterisk-" + n, 5080 + n), TTL);
        }
        DispatchSetup a = router(redis.settings());
        DispatchSetup b = router(redis.settings());
        awaitNodes(a, "asterisk-1", "asterisk-2", "asterisk-3");
        awaitNodes(b, "asterisk-1", "asterisk-2", "asterisk-3");
        Map<Integer, Set<String>> nodesPerRoom = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int room = i % 20;
                DispatchSetup router = i % 2 == 0 ? a : b;
                String callId = "call-" + i;
                calls.add(pool.submit(() -> {
                    DispatchTarget t = target(router, conf(callId, room));
                    nodesPerRoom.computeIfAbsent(room, k -> ConcurrentHashMap.newKeySet()).add(t.nodeId());
                    router.dispatcher().completed(conf(callId, room), t, 200);
                    return null;
                }));
            }
            for (Future<?> f : calls) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(nodesPerRoom).hasSize(20);
        Set<String> used = new HashSet<>();
        for (Map.Entry<Integer, Set<String>> e : nodesPerRoom.entrySet()) {
            assertThat(e.getValue()).as("room %s", e.getKey()).hasSize(1);
            assertThat(state.placements().lookup("example.com:" + e.getKey())).contains(e.getValue().iterator().next());
            used.addAll(e.getValue());
        }
        assertThat(used).as("least-loaded spreads rooms over the nodes").hasSizeGreaterThan(1);
    }

    @Test
    void redisStoppedMidRunCallsKeepSucceedingAndPlacementsAgreeAfterItReturns() throws Exception {
        try (PrivateRedis server = TestRedis.startPrivate()) {
            RedisSettings settings = server.settings(TestRedis.newPrefix());
            List<NodeState> nodes = List.of(active("asterisk-1", 5081), active("asterisk-2", 5082));
            try (RedisState agentSide = new RedisState(settings)) {
                nodes.forEach(n -> agentSide.nodes().publish(n, TTL));
                DispatchSetup a = router(settings);
                DispatchSetup b = router(settings);
                awaitNodes(a, "asterisk-1", "asterisk-2");
                awaitNodes(b, "asterisk-1", "asterisk-2");
                for (int room = 0; room < 5; room++) {
                    target(a, conf("before-" + room, room));
                }
                server.stop();
                Map<String, String> duringA = new HashMap<>();
                int ok = 0;
                for (int i = 0; i < 60; i++) {
                    int room = 10 + i % 10;
                    DispatchSetup r = i % 2 == 0 ? a : b;
                    DispatchTarget t = target(r, conf("during-" + i, room));
                    ok++;
                    if (r == a) {
                        duringA.putIfAbsent("example.com:" + room, t.nodeId());
                        assertThat(t.nodeId()).as("joins on one router follow its own placement")
                                .isEqualTo(duringA.get("example.com:" + room));
                    }
                    assertThat(target(r, TestCall.invite("plain-" + i, "5555", "h")).nodeId()).isNotBlank();
                }
                assertThat(ok).isEqualTo(60);
                await().atMost(Duration.ofSeconds(5)).until(() -> !a.view().redisStatus().isUp()
                        && !b.view().redisStatus().isUp());
                server.start(); // empty: the node states are gone until the agents publish again
                await().atMost(Duration.ofSeconds(10)).until(() -> a.view().redisStatus().isUp()
                        && b.view().redisStatus().isUp());
                Thread.sleep(300); // a few refreshes of an empty Redis
                assertThat(a.view().current().nodes()).as("held over until the agents republish").hasSize(2);
                assertThat(target(b, TestCall.invite("held-1", "5555", "h")).nodeId()).isNotBlank();
                nodes.forEach(n -> agentSide.nodes().publish(n, TTL)); // the agents republish on their next beat
                await().atMost(Duration.ofSeconds(10)).until(() -> a.view().redisStatus().isUp()
                        && b.view().redisStatus().isUp() && a.view().placements().unreconciled().isEmpty()
                        && b.view().placements().unreconciled().isEmpty());
                Map<String, String> inRedis = agentSide.placements().readAll();
                for (int room = 10; room < 20; room++) {
                    String key = "example.com:" + room;
                    assertThat(inRedis).containsKey(key);
                    String owner = inRedis.get(key);
                    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                        assertThat(a.view().placements().lookup(key)).as("router a, " + key).contains(owner);
                        assertThat(b.view().placements().lookup(key)).as("router b, " + key).contains(owner);
                    });
                    assertThat(target(a, conf("after-a-" + room, room)).nodeId()).isEqualTo(owner);
                    assertThat(target(b, conf("after-b-" + room, room)).nodeId()).isEqualTo(owner);
                }
            }
        }
    }

    @Test
    void staticNodeWithoutAgentTakesCallsAndTrustIsByAddressAndPort() throws Exception {
        DispatchSetup r = DispatchSetup.start(TestRouters.live("""
                nodes: [ { id: static-1, uri: "sip:127.0.0.1:5071" } ]
                services: [ { name: default, app: Default, strategy: round-robin } ]
                health: { enabled: false }
                """), new SimpleMeterRegistry(), null, redis.settings());
        routers.add(r);
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-2", 5082), TTL);
        awaitNodes(r, "static-1", "asterisk-2");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            seen.add(target(r, TestCall.invite("c" + i, "5555", "h")).nodeId());
        }
        assertThat(seen).containsExactlyInAnyOrder("static-1", "asterisk-2");
        assertThat(r.dispatcher().isFromNode(new java.net.InetSocketAddress("127.0.0.1", 5071))).isTrue();
        assertThat(r.dispatcher().isFromNode(new java.net.InetSocketAddress("127.0.0.1", 5082))).isTrue();
        assertThat(r.dispatcher().isFromNode(new java.net.InetSocketAddress("127.0.0.1", 5999))).isFalse();
    }
}
