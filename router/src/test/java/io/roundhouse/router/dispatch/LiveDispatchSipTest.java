package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end through the SIP engine: a caller, one or two routers with live dispatch, and the router's own test user
 * agents standing in for Asterisk nodes (answering 200, or 503 with Retry-After), node state written through the
 * shared contract as agents write it, real Redis. The test UA is used rather than sipp because a node here must be
 * inspected per call (which X-Exec-App headers it got, for which room), and started, stopped and switched in-JVM.
 */
class LiveDispatchSipTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static final Duration TTL = Duration.ofSeconds(30);

    /** The nodes of these tests, known by id only: their agents publish where they are. */
    static final String AGENT_NODES = "nodes: [ { id: asterisk-1 }, { id: asterisk-2 } ]\n";

    static final String SERVICES = """
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
            # down-after 8: the in-JVM backends answer OPTIONS on the test's own busy machine; a stall of a few
            # seconds there (seen in CI beside other builds) must not take every node down mid-test.
            health: { interval: 1s, timeout: 1s, down-after: 8, up-after: 2 }
            dispatch: { refresh-interval: 100ms, redis-timeout: 1s }
            """;

    private static final java.util.regex.Pattern CALL_ID =
            java.util.regex.Pattern.compile("(?mi)^(?:Call-ID|i)[ \\t]*:[ \\t]*(\\S+)");

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    final SipTestAgent caller = SipTestAgent.start();
    final List<SipTestAgent> agents = new ArrayList<>();
    final List<Router> routers = new ArrayList<>();
    final List<DispatchSetup> setups = new ArrayList<>();

    @AfterEach
    void stop() {
        routers.forEach(Router::close);
        setups.forEach(DispatchSetup::close);
        agents.forEach(SipTestAgent::close);
        caller.close();
    }

    SipTestAgent backend(UasBehavior b) {
        SipTestAgent a = SipTestAgent.start().uas(b);
        agents.add(a);
        return a;
    }

    Router router(String nodesAndServices, RedisSettings settings) {
        RouterConfig cfg = RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  # A burst of 200 INVITEs keeps the in-JVM test backends busy for a while: a short failover timeout
                  # would give up on a slow but live node (and move its room), which is not what these tests are about.
                  timers: { t1: 200ms, t2: 1s, t4: 1s, timer-d: 1s, timer-c: 10s, failover-timeout: 5s }
                """ + nodesAndServices);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DispatchSetup setup = DispatchSetup.start(cfg, registry, null, settings);
        setups.add(setup);
        Router r = Router.start(cfg, setup.dispatcher(), registry);
        routers.add(r);
        setup.probeWith(r::sendOptions);
        return r;
    }

    Router router() {
        return router(AGENT_NODES + SERVICES, redis.settings());
    }

    static NodeState node(String id, SipTestAgent a, NodeStatus status, int channels, double cpu,
                          Map<String, Integer> rooms) {
        return new NodeState(id, a.uri(Transport.UDP), status, channels, 100, cpu, rooms,
                Set.of("Conference", "Queue", "Default"), Set.of("Conference", "Queue", "Default"), "22.10.1", "test",
                System.currentTimeMillis());
    }

    static NodeState active(String id, SipTestAgent a) {
        return node(id, a, NodeStatus.ACTIVE, 0, 0, Map.of());
    }

    void awaitNodes(int n) {
        for (DispatchSetup s : setups) {
            await().atMost(WAIT).until(() -> s.view().current().nodes().size() == n);
        }
    }

    /** Sends an INVITE (without waiting). */
    void invite(Router r, String ruri, String callId, String... headers) {
        RequestBuilder b = caller.request("INVITE", ruri).callId(callId);
        for (String h : headers) {
            b.header(h);
        }
        caller.send(b.build(), new InetSocketAddress("127.0.0.1", r.port()), Transport.UDP);
    }

    /** The Call-ID of a received message, read from its text (parsing every message on each poll is too slow). */
    static String callIdOf(Received m) {
        java.util.regex.Matcher c = CALL_ID.matcher(m.text());
        return c.find() ? c.group(1) : "";
    }

    /** The caller's final response for the call. */
    Received finalFor(String callId) {
        await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(() -> !caller.all(m -> !m.isRequest() && m.status() >= 200
                && callIdOf(m).equals(callId)).isEmpty());
        return caller.all(m -> !m.isRequest() && m.status() >= 200 && callIdOf(m).equals(callId)).get(0);
    }

    /** Final status per Call-ID of everything the caller got so far. */
    Map<String, Integer> finals() {
        Map<String, Integer> out = new HashMap<>();
        for (Received m : caller.all(m -> !m.isRequest() && m.status() >= 200)) {
            out.putIfAbsent(callIdOf(m), m.status());
        }
        return out;
    }

    /** Waits for the final responses of {@code prefix0..prefix(n-1)} and returns them (one scan per poll). */
    Map<String, Integer> awaitFinals(String prefix, int n) {
        // 60 s: a call whose node answers late may take its failover timeout (5 s) or Timer C (10 s) per attempt, up
        // to three attempts, on a machine busy with other builds; a passing run takes a second or two.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Map<String, Integer> f = finals();
            for (int i = 0; i < n; i++) {
                if (!f.containsKey(prefix + i)) {
                    return false;
                }
            }
            return true;
        });
        return finals();
    }

    Received call(Router r, String ruri, String callId, String... headers) {
        invite(r, ruri, callId, headers);
        return finalFor(callId);
    }

    /** The INVITEs a node got, one per call (UDP retransmissions of the same call left out). */
    static List<Received> invites(SipTestAgent a) {
        Map<String, Received> byCall = new java.util.LinkedHashMap<>();
        for (Received m : a.all(m -> m.method().equals("INVITE"))) {
            byCall.putIfAbsent(callIdOf(m), m);
        }
        return List.copyOf(byCall.values());
    }

    static List<Received> invitesFor(SipTestAgent a, String callId) {
        return invites(a).stream().filter(m -> callIdOf(m).equals(callId)).toList();
    }

    @Test
    void forgedExecAppFromACallerNeverReachesANode() {
        SipTestAgent n1 = backend(UasBehavior.answer());
        redis.open().nodes().publish(active("asterisk-1", n1), TTL);
        Router r = router();
        awaitNodes(1);
        Received result = call(r, "sip:5555@example.com", "forged-1", "X-Exec-App: Evil", "X-Exec-App-Data: rm -rf",
                "x-exec-app: evil2");
        assertThat(result.status()).isEqualTo(200);
        Received got = invitesFor(n1, "forged-1").get(0);
        assertThat(got.headers("X-Exec-App")).containsExactly("Default");
        assertThat(got.headers("X-Exec-App-Data")).isEmpty();
        assertThat(got.text()).doesNotContain("Evil").doesNotContain("evil2").doesNotContain("rm -rf");
    }

    @Test
    void leastLoadedSendsTheCallToTheLighterNode() {
        SipTestAgent heavy = backend(UasBehavior.answer());
        SipTestAgent light = backend(UasBehavior.answer());
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", heavy, NodeStatus.ACTIVE, 90, 80, Map.of()), TTL);
        state.nodes().publish(node("asterisk-2", light, NodeStatus.ACTIVE, 5, 10, Map.of()), TTL);
        Router r = router();
        awaitNodes(2);
        for (int i = 0; i < 10; i++) {
            assertThat(call(r, "sip:5555@example.com", "ll-" + i).status()).isEqualTo(200);
        }
        assertThat(invites(light)).hasSize(10);
        assertThat(invites(heavy)).isEmpty();
        assertThat(invites(light).get(0).headers("X-Exec-App")).containsExactly("Default");
    }

    @Test
    void weightedSplitOverStaticNodesIsEightyTwenty() {
        SipTestAgent n1 = backend(UasBehavior.answer());
        SipTestAgent n2 = backend(UasBehavior.answer());
        Router r = router("""
                nodes:
                  - { id: asterisk-1, uri: "%s", weight: 80 }
                  - { id: asterisk-2, uri: "%s", weight: 20 }
                services: [ { name: default, app: Default, strategy: weighted } ]
                health: { interval: 500ms }
                """.formatted(n1.uri(Transport.UDP), n2.uri(Transport.UDP)), redis.settings());
        for (int i = 0; i < 200; i++) {
            invite(r, "sip:5555@example.com", "w-" + i);
        }
        Map<String, Integer> finals = awaitFinals("w-", 200);
        for (int i = 0; i < 200; i++) {
            assertThat(finals.get("w-" + i)).as("call w-" + i).isEqualTo(200);
        }
        assertThat(invites(n1).size() / 200.0).as("share of the 80-weight node").isBetween(0.77, 0.83);
        assertThat(invites(n1).size() + invites(n2).size()).isEqualTo(200);
    }

    @Test
    void priorityFailsOverToTheBackupAndTheCallerSeesOnly200() {
        SipTestAgent primary = backend(UasBehavior.reject(500));
        SipTestAgent backup = backend(UasBehavior.answer());
        RedisState state = redis.open();
        state.nodes().publish(active("asterisk-1", primary), TTL);
        state.nodes().publish(active("asterisk-2", backup), TTL);
        Router r = router();
        awaitNodes(2);
        Received result = call(r, "sip:2001@example.com", "prio-1");
        assertThat(result.status()).isEqualTo(200);
        assertThat(invitesFor(primary, "prio-1")).hasSize(1);
        Received got = invitesFor(backup, "prio-1").get(0);
        assertThat(got.headers("X-Exec-App")).containsExactly("Queue");
        assertThat(got.headers("X-Exec-App-Data")).containsExactly("support");
        assertThat(caller.all(m -> m.status() == 500)).isEmpty();
    }

    @Test
    void roomBouncedWith503MovesAndLaterJoinsFollowItAndEveryCallSucceeds() {
        SipTestAgent full = backend(UasBehavior.reject(503));
        SipTestAgent roomy = backend(UasBehavior.answer());
        RedisState state = redis.open();
        // The full node looks lighter, so least-loaded tries it first.
        state.nodes().publish(node("asterisk-1", full, NodeStatus.ACTIVE, 0, 0, Map.of()), TTL);
        state.nodes().publish(node("asterisk-2", roomy, NodeStatus.ACTIVE, 50, 50, Map.of()), TTL);
        Router a = router();
        Router b = router();
        awaitNodes(2);
        assertThat(call(a, "sip:conf-1000@example.com", "room-first").status()).isEqualTo(200);
        assertThat(invitesFor(full, "room-first")).hasSize(1);
        assertThat(invitesFor(roomy, "room-first")).hasSize(1);
        assertThat(state.placements().lookup("example.com:1000")).contains("asterisk-2");
        for (int i = 0; i < 10; i++) {
            Router r = i % 2 == 0 ? a : b;
            assertThat(call(r, "sip:conf-1000@example.com", "join-" + i).status()).isEqualTo(200);
            assertThat(invitesFor(roomy, "join-" + i)).hasSize(1);
        }
        assertThat(invites(full)).as("only the first call met the full node").hasSize(1);
        assertThat(invitesFor(roomy, "join-3").get(0).headers("X-Exec-App-Data")).containsExactly("1000");
        assertThat(invitesFor(roomy, "join-3").get(0).headers("X-Exec-App-Placement"))
                .as("the node's agent releases exactly this key").containsExactly("example.com:1000");
        assertThat(caller.all(m -> m.status() == 503)).isEmpty();
    }

    @Test
    void drainingNodeGetsNoNewRoomsButGetsJoinsToItsRooms() {
        SipTestAgent draining = backend(UasBehavior.answer());
        SipTestAgent other = backend(UasBehavior.answer());
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", draining, NodeStatus.DRAINING, 2, 0,
                Map.of("example.com:7", 2)), TTL);
        state.nodes().publish(node("asterisk-2", other, NodeStatus.ACTIVE, 60, 60, Map.of()), TTL);
        state.placements().claim("example.com:7", "asterisk-1");
        Router r = router();
        awaitNodes(2);
        for (int i = 0; i < 5; i++) {
            assertThat(call(r, "sip:conf-7@example.com", "join-" + i).status()).isEqualTo(200);
            assertThat(call(r, "sip:conf-" + (100 + i) + "@example.com", "new-" + i).status()).isEqualTo(200);
            assertThat(call(r, "sip:5555@example.com", "plain-" + i).status()).isEqualTo(200);
        }
        assertThat(invites(draining)).extracting(LiveDispatchSipTest::callIdOf)
                .containsExactlyInAnyOrder("join-0", "join-1", "join-2", "join-3", "join-4");
        assertThat(invites(other)).hasSize(10);
    }

    @Test
    void expiredNodeGetsNothing() {
        SipTestAgent alive = backend(UasBehavior.answer());
        SipTestAgent gone = backend(UasBehavior.answer());
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", alive, NodeStatus.ACTIVE, 50, 50, Map.of()), TTL);
        state.nodes().publish(node("asterisk-2", gone, NodeStatus.ACTIVE, 0, 0, Map.of()), Duration.ofMillis(500));
        Router r = router();
        await().atMost(WAIT).until(() -> setups.get(0).view().current().nodes().size() == 1);
        for (int i = 0; i < 10; i++) {
            assertThat(call(r, "sip:5555@example.com", "e-" + i).status()).isEqualTo(200);
            assertThat(call(r, "sip:conf-" + i + "@example.com", "ec-" + i).status()).isEqualTo(200);
        }
        assertThat(invites(gone)).isEmpty();
        assertThat(invites(alive)).hasSize(20);
    }

    @Test
    void nodeThatStopsAnsweringOptionsIsTakenOutByProbing() {
        SipTestAgent mute = backend(UasBehavior.answer());
        SipTestAgent ok = backend(UasBehavior.answer());
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", mute, NodeStatus.ACTIVE, 0, 0, Map.of()), TTL);
        state.nodes().publish(node("asterisk-2", ok, NodeStatus.ACTIVE, 50, 50, Map.of()), TTL);
        String fastProbing = SERVICES.replace("health: { interval: 1s, timeout: 1s, down-after: 8, up-after: 2 }",
                "health: { interval: 300ms, timeout: 300ms, down-after: 2, up-after: 2 }");
        Router r = router(AGENT_NODES + fastProbing, redis.settings());
        awaitNodes(2);
        await().atMost(WAIT).until(() -> !mute.all(m -> m.method().equals("OPTIONS")).isEmpty());
        mute.uas(UasBehavior.silent());
        await().atMost(WAIT).until(() -> setups.get(0).prober().state("asterisk-1")
                == io.roundhouse.router.health.HealthState.DOWN);
        mute.clear();
        for (int i = 0; i < 5; i++) {
            assertThat(call(r, "sip:5555@example.com", "h-" + i).status()).isEqualTo(200);
        }
        assertThat(invites(mute)).isEmpty();
        mute.uas(UasBehavior.answer());
        await().atMost(WAIT).until(() -> setups.get(0).prober().state("asterisk-1")
                == io.roundhouse.router.health.HealthState.UP);
    }

    @Test
    void twoHundredCallsToTwentyRoomsThroughTwoRoutersLandEachRoomOnOneNode() {
        RedisState state = redis.open();
        List<SipTestAgent> nodes = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            SipTestAgent a = backend(UasBehavior.answer());
            nodes.add(a);
            state.nodes().publish(active("asterisk-" + n, a), TTL);
        }
        Router a = router();
        Router b = router();
        awaitNodes(3);
        for (int i = 0; i < 200; i++) {
            invite(i % 2 == 0 ? a : b, "sip:conf-" + (i % 20) + "@example.com", "r-" + i);
        }
        Map<String, Integer> finals = awaitFinals("r-", 200);
        for (int i = 0; i < 200; i++) {
            assertThat(finals.get("r-" + i)).as("call r-" + i).isEqualTo(200);
        }
        Map<String, Set<Integer>> nodesPerRoom = new HashMap<>();
        for (int n = 0; n < nodes.size(); n++) {
            for (Received inv : invites(nodes.get(n))) {
                nodesPerRoom.computeIfAbsent(inv.header("X-Exec-App-Data"), k -> new java.util.TreeSet<>()).add(n + 1);
            }
        }
        assertThat(nodesPerRoom).hasSize(20);
        nodesPerRoom.forEach((room, on) -> {
            assertThat(on).as("room " + room).hasSize(1);
            assertThat(state.placements().lookup("example.com:" + room)).contains("asterisk-" + on.iterator().next());
        });
        assertThat(nodes.stream().mapToInt(n -> invites(n).size()).sum()).isEqualTo(200);
    }

    @Test
    void redisStoppedMidRunCallsKeepSucceedingAndPlacementsAgreeWhenItReturns() {
        try (PrivateRedis server = TestRedis.startPrivate()) {
            RedisSettings settings = server.settings(TestRedis.newPrefix());
            List<SipTestAgent> nodes = List.of(backend(UasBehavior.answer()), backend(UasBehavior.answer()));
            try (RedisState agentSide = new RedisState(settings)) {
                Runnable publish = () -> {
                    agentSide.nodes().publish(active("asterisk-1", nodes.get(0)), TTL);
                    agentSide.nodes().publish(active("asterisk-2", nodes.get(1)), TTL);
                };
                publish.run();
                Router a = router(AGENT_NODES + SERVICES, settings);
                Router b = router(AGENT_NODES + SERVICES, settings);
                awaitNodes(2);
                for (int i = 0; i < 10; i++) {
                    assertThat(call(i % 2 == 0 ? a : b, "sip:conf-" + i + "@example.com", "pre-" + i).status())
                            .isEqualTo(200);
                }
                server.stop();
                for (int i = 0; i < 40; i++) {
                    Router r = i % 2 == 0 ? a : b;
                    assertThat(call(r, "sip:conf-" + (20 + i % 10) + "@example.com", "out-" + i).status())
                            .as("call out-" + i + " during the outage").isEqualTo(200);
                    assertThat(call(r, "sip:5555@example.com", "outp-" + i).status()).isEqualTo(200);
                }
                server.start();
                publish.run();
                await().atMost(WAIT).until(() -> setups.stream().allMatch(s -> s.view().redisStatus().isUp()
                        && s.view().placements().unreconciled().isEmpty()));
                Map<String, String> inRedis = agentSide.placements().readAll();
                for (int room = 20; room < 30; room++) {
                    String key = "example.com:" + room;
                    assertThat(inRedis).containsKey(key);
                    String owner = inRedis.get(key);
                    int index = Integer.parseInt(owner.substring("asterisk-".length())) - 1;
                    for (int k = 0; k < 2; k++) {
                        String id = "after-" + room + "-" + k;
                        assertThat(call(k == 0 ? a : b, "sip:conf-" + room + "@example.com", id).status())
                                .isEqualTo(200);
                        assertThat(invitesFor(nodes.get(index), id)).as(id + " follows Redis").hasSize(1);
                    }
                }
            }
        }
    }

}
