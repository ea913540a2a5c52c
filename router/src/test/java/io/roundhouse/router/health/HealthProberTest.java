package io.roundhouse.router.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthProberTest {

    static final HealthSettings SETTINGS = new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 2,
            3, Duration.ofSeconds(30));

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final Map<String, String> targets = new LinkedHashMap<>();
    /** Probes sent and not yet answered by the test, in order. */
    final List<Sent> sent = new ArrayList<>();
    HealthProber prober;

    record Sent(String uri, CompletableFuture<Integer> reply) {}

    CompletionStage<Integer> send(String uri) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        sent.add(new Sent(uri, f));
        return f;
    }

    @BeforeEach
    void setUp() {
        targets.put("a", "sip:127.0.0.1:5081");
        prober = new HealthProber(SETTINGS, () -> Map.copyOf(targets), this::send, clock::get);
    }

    void advance(Duration d) {
        clock.addAndGet(d.toNanos());
        prober.tick();
    }

    /** Waits one interval and answers the probe that was due. */
    void round(Integer status) {
        advance(SETTINGS.interval());
        answerLast(status);
    }

    void answerLast(Integer status) {
        Sent s = sent.get(sent.size() - 1);
        if (status != null) {
            s.reply().complete(status);
        }
    }

    @Test
    void newNodeIsProbedAtOnceAndUpOnItsFirstReply() {
        prober.tick();
        assertThat(sent).extracting(Sent::uri).containsExactly("sip:127.0.0.1:5081");
        assertThat(prober.state("a")).isEqualTo(HealthState.UNKNOWN);
        assertThat(prober.state("a").takesCalls()).isTrue();
        answerLast(200);
        assertThat(prober.state("a")).isEqualTo(HealthState.UP);
    }

    @Test
    void probesEveryIntervalAndNotBefore() {
        prober.tick();
        answerLast(200);
        advance(Duration.ofMillis(4_900));
        assertThat(sent).hasSize(1);
        advance(Duration.ofMillis(100));
        assertThat(sent).hasSize(2);
    }

    @Test
    void goesDownAfterThreeMissesNotBefore() {
        prober.tick();
        answerLast(200);
        round(408);
        round(0);
        assertThat(prober.state("a")).isEqualTo(HealthState.UP);
        round(408);
        assertThat(prober.state("a")).isEqualTo(HealthState.DOWN);
        assertThat(prober.state("a").takesCalls()).isFalse();
    }

    @Test
    void aProbeWithoutReplyIsAMissAfterTheTimeout() {
        prober.tick();
        answerLast(200);
        for (int i = 0; i < 3; i++) {
            advance(SETTINGS.interval());
            advance(SETTINGS.timeout());
        }
        assertThat(prober.state("a")).isEqualTo(HealthState.DOWN);
        // A reply arriving after its probe timed out changes nothing.
        sent.get(1).reply().complete(200);
        assertThat(prober.state("a")).isEqualTo(HealthState.DOWN);
    }

    @Test
    void comesBackOnlyAfterTwoGoodRepliesInARow() {
        prober.tick();
        answerLast(200);
        round(408);
        round(408);
        round(408);
        round(200);
        assertThat(prober.state("a")).as("one good reply is not enough").isEqualTo(HealthState.DOWN);
        round(408);
        round(200);
        assertThat(prober.state("a")).as("the count restarts after a miss").isEqualTo(HealthState.DOWN);
        round(200);
        assertThat(prober.state("a")).isEqualTo(HealthState.UP);
    }

    @Test
    void theNodesDownAreKeptForDispatchAsTheyChange() {
        prober.tick();
        answerLast(200);
        assertThat(prober.downNodes()).isEmpty();
        round(408);
        round(408);
        round(408);
        assertThat(prober.downNodes()).containsExactly("a");
        round(200);
        round(200);
        assertThat(prober.downNodes()).isEmpty();
        round(408);
        round(408);
        round(408);
        targets.remove("a");
        advance(Duration.ofMillis(100));
        assertThat(prober.downNodes()).as("a node that left is forgotten").isEmpty();
    }

    @Test
    void aNodeAlternatingGoodAndBadRepliesDoesNotFlap() {
        prober.tick();
        answerLast(200);
        for (int i = 0; i < 20; i++) {
            round(i % 2 == 0 ? 408 : 200);
            assertThat(prober.state("a")).isEqualTo(HealthState.UP);
        }
    }

    @Test
    void busyNodeAnswering503IsAliveButATransportErrorIsNot() {
        prober.tick();
        answerLast(503);
        assertThat(prober.state("a")).isEqualTo(HealthState.UP);
        for (int i = 0; i < 3; i++) {
            advance(SETTINGS.interval());
            sent.get(sent.size() - 1).reply().completeExceptionally(new java.io.IOException("port unreachable"));
        }
        assertThat(prober.state("a")).isEqualTo(HealthState.DOWN);
    }

    @Test
    void theLatestProbeThatEndedIsKeptWithItsAgeStatusAndLatencyForOperators() {
        prober.tick();
        assertThat(prober.lastProbe("a")).as("none ended yet").isEmpty();
        clock.addAndGet(Duration.ofMillis(12).toNanos());
        answerLast(200);
        clock.addAndGet(Duration.ofMillis(1_500).toNanos());
        ProbeResult ok = prober.lastProbe("a").orElseThrow();
        assertThat(ok.good()).isTrue();
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.latency()).isEqualTo(Duration.ofMillis(12));
        assertThat(ok.age()).isEqualTo(Duration.ofMillis(1_500));
        assertThat(ok.detail()).isEqualTo("status 200");

        advance(Duration.ofMillis(3_500));
        assertThat(prober.lastProbe("a").orElseThrow().status()).as("a probe in flight keeps the last result")
                .isEqualTo(200);
        advance(SETTINGS.timeout());
        ProbeResult missed = prober.lastProbe("a").orElseThrow();
        assertThat(missed.good()).isFalse();
        assertThat(missed.status()).isZero();
        assertThat(missed.latency()).as("no reply, no latency").isNull();
        assertThat(missed.age()).isEqualTo(Duration.ZERO);
        assertThat(missed.detail()).isEqualTo("no reply within 2000ms");

        round(408);
        assertThat(prober.lastProbe("a").orElseThrow()).satisfies(r -> {
            assertThat(r.good()).isFalse();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.latency()).isEqualTo(Duration.ZERO);
        });
    }

    @Test
    void nodesJoiningAreProbedAtOnceAndLeavingNodesAreForgotten() {
        prober.tick();
        answerLast(200);
        targets.put("b", "sip:127.0.0.1:5082");
        advance(Duration.ofMillis(100));
        assertThat(sent).extracting(Sent::uri).containsExactly("sip:127.0.0.1:5081", "sip:127.0.0.1:5082");
        targets.remove("a");
        advance(Duration.ofMillis(100));
        assertThat(prober.states()).containsOnlyKeys("b");
        assertThat(prober.state("a")).isEqualTo(HealthState.UNKNOWN);
    }

    @Test
    void disabledProbingSendsNothingAndCountsEveryNodeUp() {
        HealthProber off = new HealthProber(new HealthSettings(false, SETTINGS.interval(), SETTINGS.timeout(), 3, 2, 3,
                SETTINGS.trialEvery()),
                () -> Map.copyOf(targets), this::send, clock::get);
        off.start(null);
        assertThat(off.state("a")).isEqualTo(HealthState.UP);
        assertThat(sent).isEmpty();
    }
}
