package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.dispatch.view.Eligibility;
import io.roundhouse.router.dispatch.view.LocalFullMarks;
import io.roundhouse.router.dispatch.view.NodeViewBuilder;
import io.roundhouse.router.dispatch.view.NodeViewSource;
import io.roundhouse.router.dispatch.view.PlacementCache;
import io.roundhouse.router.dispatch.view.RedisStatus;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.health.PassiveHealth;
import io.roundhouse.router.testing.TestRouters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher on its in-memory view alone: static nodes, and Redis known to be unreachable (so nothing here talks
 * to Redis, which is what the router does during an outage). The Redis-backed behaviour is in LiveDispatcherRedisTest.
 */
class LiveDispatcherOfflineTest {

    static final String CONFIG = """
            nodes:
              - { id: a, uri: "sip:127.0.0.1:5081", weight: 80 }
              - { id: b, uri: "sip:127.0.0.1:5082", weight: 20 }
              - { id: c, uri: "sip:127.0.0.1:5083" }
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
                nodes: [ a, b ]
                strategy: priority
              - name: weighted
                match: { ruri-user: "^w" }
                app: W
                nodes: [ a, b ]
                strategy: weighted
              - name: default
                match: { ruri-user: "^[0-9]+$" }
                app: Default
                strategy: round-robin
            """;

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final Map<String, HealthState> health = new HashMap<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final RedisStatus redis = new RedisStatus();
    NodeViewSource view;
    LiveDispatcher dispatcher;

    LiveDispatcherOfflineTest() throws Exception {
        init(DispatchSettings.DEFAULTS);
    }

    private void init(DispatchSettings settings) throws Exception {
        RouterConfig config = TestRouters.live(CONFIG);
        redis.failed("unit test without Redis", new IllegalStateException("no Redis here"));
        view = new NodeViewSource(new NodeViewBuilder(DispatchSetup.staticNodes(config)), null, null, null, null,
                new PlacementCache(), redis, Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 0L);
        LocalFullMarks marks = new LocalFullMarks(nanos::get);
        FarmHealth farmHealth = new FarmHealth(id -> health.getOrDefault(id, HealthState.UNKNOWN),
                () -> java.util.Set.of("a", "b", "c"),
                PassiveHealth.DEFAULT_TIMEOUTS_DOWN, PassiveHealth.DEFAULT_TRIAL_EVERY, nanos::get);
        dispatcher = new LiveDispatcher(config.services(), view, farmHealth,
                new Eligibility(false, farmHealth, marks), marks, null, null,
                Runnable::run, settings, new DecisionLog(registry, null), registry, nanos::get, () -> 0L);
    }

    static Optional<DispatchTarget> now(java.util.concurrent.CompletionStage<Optional<DispatchTarget>> s) {
        return s.toCompletableFuture().getNow(null);
    }

    DispatchTarget select(TestCall call) {
        return now(dispatcher.select(call)).orElseThrow();
    }

    @Test
    void forwardedRequestCarriesTheServiceApplicationAndData() {
        DispatchTarget t = select(TestCall.invite("c1", "2001", "example.com"));
        assertThat(t.nodeId()).isEqualTo("a");
        assertThat(t.sipUri()).isEqualTo("sip:127.0.0.1:5081");
        assertThat(t.addHeaders()).containsExactly(Map.entry("X-Exec-App", "Queue"),
                Map.entry("X-Exec-App-Data", "support"));
    }

    @Test
    void callMatchingNoServiceGetsNoNode() {
        assertThat(now(dispatcher.select(TestCall.invite("c1", "alice", "example.com")))).isEmpty();
        assertThat(registry.get("roundhouse.dispatch.decisions").tag("reason", "no-service").counter().count())
                .isEqualTo(1);
    }

    @Test
    void weightedServiceSplitsEightyTwenty() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            TestCall call = TestCall.invite("w" + i, "w" + i, "h");
            counts.merge(select(call).nodeId(), 1, Integer::sum);
            dispatcher.completed(call, new DispatchTarget("a", "sip:x", Map.of()), 200);
        }
        assertThat(counts).containsEntry("a", 800).containsEntry("b", 200);
        assertThat(dispatcher.callsInProgress()).isZero();
    }

    @Test
    void priorityFailsOverToTheBackupAndA503WithRetryAfterMarksThePrimaryFull() {
        TestCall call = TestCall.invite("c1", "2001", "h");
        DispatchTarget first = select(call);
        assertThat(first.nodeId()).isEqualTo("a");
        DispatchTarget second = now(dispatcher.next(call, first,
                new AttemptOutcome(503, Optional.of(Duration.ofSeconds(30))))).orElseThrow();
        assertThat(second.nodeId()).isEqualTo("b");
        assertThat(second.addHeaders()).containsEntry("X-Exec-App", "Queue");
        assertThat(select(TestCall.invite("c2", "2002", "h")).nodeId()).as("a is full for 30 s").isEqualTo("b");
        nanos.addAndGet(Duration.ofSeconds(30).toNanos());
        assertThat(select(TestCall.invite("c3", "2003", "h")).nodeId()).isEqualTo("a");
    }

    @Test
    void bouncesAreLoggedAFewLinesAtATimeWithTheCountOfTheRest() {
        Logger logger = (Logger) LoggerFactory.getLogger(LiveDispatcher.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            for (int i = 0; i < 30; i++) {
                TestCall call = TestCall.invite("b" + i, "2001", "h");
                DispatchTarget first = select(call);
                assertThat(first.nodeId()).isEqualTo("a");
                now(dispatcher.next(call, first, new AttemptOutcome(503, Optional.of(Duration.ofMillis(10)))));
                nanos.addAndGet(Duration.ofMillis(10).toNanos()); // the mark ends: the next call bounces off a again
            }
            assertThat(fullLines(lines)).as("10 lines per 10 s, the shared throttle's default").hasSize(10);
            lines.list.clear();
            nanos.addAndGet(Duration.ofSeconds(10).toNanos());
            TestCall call = TestCall.invite("last", "2001", "h");
            now(dispatcher.next(call, select(call), new AttemptOutcome(503, Optional.of(Duration.ofMillis(10)))));
            assertThat(fullLines(lines)).containsExactly(
                    "node a is full for support-desk for 0 s (503 with Retry-After) (20 similar lines suppressed)");
        } finally {
            logger.detachAppender(lines);
        }
    }

    private static List<String> fullLines(ListAppender<ILoggingEvent> lines) {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.contains(" is full for "))
                .toList();
    }

    @Test
    void finalAnswersThatAreNot5xxAreNotRedispatched() {
        for (int status : List.of(404, 486, 603)) {
            TestCall call = TestCall.invite("c" + status, "2001", "h");
            DispatchTarget first = select(call);
            assertThat(now(dispatcher.next(call, first, new AttemptOutcome(status, Optional.empty())))).isEmpty();
        }
    }

    @Test
    void timeoutsAreRedispatchedUpToMaxAttempts() {
        TestCall call = TestCall.invite("c1", "1234", "h");
        DispatchTarget t1 = select(call);
        DispatchTarget t2 = now(dispatcher.next(call, t1, AttemptOutcome.timeout())).orElseThrow();
        DispatchTarget t3 = now(dispatcher.next(call, t2, new AttemptOutcome(500, Optional.empty()))).orElseThrow();
        assertThat(List.of(t1.nodeId(), t2.nodeId(), t3.nodeId())).doesNotHaveDuplicates();
        assertThat(now(dispatcher.next(call, t3, AttemptOutcome.timeout()))).as("three nodes tried").isEmpty();
        assertThat(registry.get("roundhouse.dispatch.decisions").tag("reason", "max-attempts").counter().count())
                .isEqualTo(1);
        assertThat(dispatcher.callsInProgress()).isZero();
    }

    @Test
    void nodeHeldDownByProbingGetsNothing() {
        health.put("a", HealthState.DOWN);
        for (int i = 0; i < 10; i++) {
            assertThat(select(TestCall.invite("c" + i, "1" + i, "h")).nodeId()).isNotEqualTo("a");
        }
        assertThat(select(TestCall.invite("q", "2001", "h")).nodeId()).isEqualTo("b");
    }

    @Test
    void nodeThatLeftThreeInvitesInARowUnansweredIsHeldDownThoughProbingSaysUp() {
        health.put("a", HealthState.UP);
        for (int i = 0; i < 3; i++) {
            TestCall call = TestCall.invite("t" + i, "2001", "h");
            DispatchTarget first = select(call);
            assertThat(first.nodeId()).isEqualTo("a");
            assertThat(now(dispatcher.next(call, first, AttemptOutcome.timeout()))).isPresent();
        }
        assertThat(select(TestCall.invite("q", "2002", "h")).nodeId()).isEqualTo("b");
        assertThat(registry.get("roundhouse.dispatch.decisions").tag("reason", "strategy").tag("node", "b")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void withRedisDownARoomIsPlacedLocallyAndItsJoinsFollowIt() {
        DispatchTarget first = select(TestCall.invite("c1", "conf-1000", "example.com"));
        for (int i = 0; i < 5; i++) {
            assertThat(select(TestCall.invite("j" + i, "conf-1000", "example.com")).nodeId()).isEqualTo(first.nodeId());
        }
        assertThat(first.addHeaders()).containsEntry("X-Exec-App", "Conference").containsEntry("X-Exec-App-Data", "1000");
        assertThat(view.placements().unreconciled()).containsEntry("example.com:1000", first.nodeId());
        assertThat(registry.get("roundhouse.dispatch.decisions").tag("reason", "affinity-local").counter().count())
                .isEqualTo(1);
    }

    @Test
    void withRedisDownABouncedNewRoomMovesAndLaterJoinsFollowIt() {
        TestCall call = TestCall.invite("c1", "conf-7", "example.com");
        DispatchTarget first = select(call);
        DispatchTarget moved = now(dispatcher.next(call, first,
                new AttemptOutcome(503, Optional.of(Duration.ofSeconds(60))))).orElseThrow();
        assertThat(moved.nodeId()).isNotEqualTo(first.nodeId());
        assertThat(select(TestCall.invite("c2", "conf-7", "example.com")).nodeId()).isEqualTo(moved.nodeId());
    }

    @Test
    void onlyTheNodesOwnAddressAndPortAreTrusted() throws Exception {
        assertThat(dispatcher.isFromNode(new InetSocketAddress("127.0.0.1", 5082))).isTrue();
        assertThat(dispatcher.isFromNode(new InetSocketAddress("127.0.0.1", 40000))).isFalse();
        assertThat(dispatcher.isFromNode(new InetSocketAddress("127.0.0.2", 5082))).isFalse();
        DispatchSettings relaxed = new DispatchSettings(3, Duration.ofSeconds(1), false, Duration.ofMillis(500), 1, 0,
                0.5, Duration.ZERO, false, Duration.ofMinutes(5), Duration.ofSeconds(10), Duration.ofSeconds(60));
        LiveDispatcherOfflineTest other = new LiveDispatcherOfflineTest();
        other.init(relaxed);
        assertThat(other.dispatcher.isFromNode(new InetSocketAddress("127.0.0.1", 40000))).isTrue();
        assertThat(other.dispatcher.isFromNode(new InetSocketAddress("127.0.0.2", 5082))).isFalse();
    }

    @Test
    void requestsOtherThanInviteFollowAPlacementButNeverMakeOne() {
        TestCall options = new TestCall("OPTIONS", "o1", "conf-55", "example.com", "alice", "conf-55", Map.of(),
                new InetSocketAddress("127.0.0.1", 5999));
        assertThat(select(options).addHeaders()).containsEntry("X-Exec-App", "Conference");
        assertThat(view.placements().lookup("example.com:55")).isEmpty();
        DispatchTarget room = select(TestCall.invite("c1", "conf-55", "example.com"));
        for (int i = 0; i < 3; i++) {
            TestCall again = new TestCall("OPTIONS", "o" + (i + 2), "conf-55", "example.com", "alice", "conf-55",
                    Map.of(), new InetSocketAddress("127.0.0.1", 5999));
            assertThat(select(again).nodeId()).isEqualTo(room.nodeId());
        }
    }

    @Test
    void callsWithoutOutcomeAreForgottenAfterTheirTtl() {
        select(TestCall.invite("c1", "1234", "h"));
        assertThat(dispatcher.sweep()).isZero();
        nanos.addAndGet(DispatchSettings.DEFAULTS.callStateTtl().toNanos() + 1);
        assertThat(dispatcher.sweep()).isEqualTo(1);
        assertThat(dispatcher.callsInProgress()).isZero();
    }
}
