package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.dispatch.strategy.Candidate;
import io.roundhouse.router.dispatch.strategy.Ranked;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DecisionLogTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

    private static Decision decision(int i) {
        return new Decision("call-" + i, "default", "-", "asterisk-1", "strategy", 1, List.of(), "", Map.of(), i);
    }

    private List<String> written() {
        synchronized (batches) {
            return batches.stream().flatMap(List::stream).toList();
        }
    }

    private double dropped() {
        return registry.get("roundhouse.dispatch.decisions.dropped").counter().count();
    }

    @Test
    void decisionsReachRedisInBatchesInTheirOrder() {
        try (DecisionLog log = new DecisionLog(registry, batches::add, () -> true, Duration.ofMillis(50))) {
            for (int i = 0; i < 1000; i++) {
                log.record(decision(i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> written().size() == 1000);
        }
        List<String> lines = written();
        for (int i = 0; i < 1000; i++) {
            assertThat(lines.get(i)).startsWith("call-id=call-" + i + " ");
        }
        assertThat(batches.size()).as("round trips for 1,000 decisions").isLessThan(10);
    }

    @Test
    void everyDecisionIsCountedAtOnceOnTheCallersThread() {
        try (DecisionLog log = new DecisionLog(registry, null, () -> true, Duration.ofHours(1))) {
            log.record(decision(1));
            log.record(decision(2));
            assertThat(registry.get("roundhouse.dispatch.decisions").tag("reason", "strategy")
                    .tag("node", "asterisk-1").counter().count()).isEqualTo(2);
        }
    }

    @Test
    void closeWritesWhatIsStillQueued() {
        DecisionLog log = new DecisionLog(registry, batches::add, () -> true, Duration.ofHours(1));
        log.record(decision(1));
        log.record(decision(2));
        log.close();
        assertThat(written()).hasSize(2);
    }

    @Test
    void redisKnownDownDropsTheBatchAndCountsItWithoutTrying() {
        AtomicInteger tries = new AtomicInteger();
        DecisionLog log = new DecisionLog(registry, lines -> tries.incrementAndGet(), () -> false,
                Duration.ofHours(1));
        log.record(decision(1));
        log.record(decision(2));
        log.close();
        assertThat(tries).hasValue(0);
        assertThat(dropped()).isEqualTo(2);
    }

    @Test
    void failingRedisWriteIsCountedAndTheNextBatchStillGoes() {
        AtomicBoolean fail = new AtomicBoolean(true);
        try (DecisionLog log = new DecisionLog(registry, lines -> {
            if (fail.getAndSet(false)) {
                throw new IllegalStateException("connection reset");
            }
            batches.add(lines);
        }, () -> true, Duration.ofMillis(20))) {
            log.record(decision(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> dropped() == 1);
            log.record(decision(2));
            await().atMost(Duration.ofSeconds(5)).until(() -> written().size() == 1);
        }
        assertThat(written().get(0)).startsWith("call-id=call-2 ");
    }

    @Test
    void writerKeepsGoingAfterABatchThatThrows() {
        AtomicBoolean boom = new AtomicBoolean(true);
        try (DecisionLog log = new DecisionLog(registry, batches::add, () -> {
            if (boom.getAndSet(false)) {
                throw new IllegalStateException("status check failed");
            }
            return true;
        }, Duration.ofMillis(20))) {
            log.record(decision(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> dropped() == 1);
            log.record(decision(2));
            await().atMost(Duration.ofSeconds(5)).until(() -> written().size() == 1);
        }
    }

    @Test
    void decisionAfterCloseIsCountedAsDropped() {
        DecisionLog log = new DecisionLog(registry, batches::add, () -> true, Duration.ofMillis(20));
        log.close();
        log.record(decision(1));
        assertThat(dropped()).isEqualTo(1);
        assertThat(written()).isEmpty();
    }

    @Test
    void fullQueueDropsAndCountsInsteadOfWaiting() {
        try (DecisionLog log = new DecisionLog(registry, batches::add, () -> true, Duration.ofHours(1))) {
            for (int i = 0; i < DecisionLog.QUEUE_LIMIT + 5; i++) {
                log.record(decision(i));
            }
            assertThat(dropped()).isEqualTo(5);
        }
        assertThat(written()).hasSize(DecisionLog.QUEUE_LIMIT);
    }

    @Test
    void lineExplainsTheDecisionWithScoresToThreeDecimalsAndExclusionsSorted() {
        Decision d = new Decision("abc@host", "conference", "example.com:1000", "asterisk-2", "affinity-claimed", 2,
                List.of(new Ranked(new Candidate("asterisk-2", 1, true, 3, 100, 10, 0), 0.0625),
                        new Ranked(new Candidate("asterisk-3", 1, true, 50, 100, 90, 0), 1.0)),
                "load (lower is better)", Map.of("asterisk-1", "tried", "asterisk-0", "draining"), 42);
        assertThat(d.line("router-a")).isEqualTo("call-id=abc@host service=conference key=example.com:1000"
                + " node=asterisk-2 reason=affinity-claimed attempt=2 candidates=[asterisk-2:0.063,asterisk-3:1.000]"
                + " score=\"load (lower is better)\" excluded=[asterisk-0:draining,asterisk-1:tried] router=router-a"
                + " at=1970-01-01T00:00:00.042Z");
    }

    @Test
    void aRedispatchSaysWhichAttemptFailedAndWithWhatStatus() {
        Decision d = new Decision("abc@host", "default", "-", "asterisk-2", "redispatch", 2, List.of(), "",
                Map.of("asterisk-1", "tried"), 1764096000000L, "asterisk-1:503");
        assertThat(d.line("r1")).contains(" attempt=2 failed=asterisk-1:503 candidates=[]")
                .endsWith(" router=r1 at=2025-11-25T18:40:00Z");
    }

    @Test
    void scoresPrintAsPercentPointThreeF() {
        // Ties in decimal that are not ties in binary (0.5005 is stored just below 0.5005) round as Formatter does.
        double[] scores = {0, 0.001, 0.0004, 0.063, 0.378, 0.5, 0.999, 1, 12.25, 123456.789, -0.25, -0.0001, -0.0, 1e16,
                0.5005, 1001.0 / 2000, 2.0035, 1e14 + 0.1, 0.0625, Double.NaN, Double.POSITIVE_INFINITY};
        for (double s : scores) {
            StringBuilder b = new StringBuilder();
            Decision.appendScore(b, s);
            assertThat(b.toString()).as("score %s", s).isEqualTo(String.format(Locale.ROOT, "%.3f", s));
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            double s = random.nextInt(4) == 0 ? random.nextInt(20_000) / 2000.0 : random.nextDouble() * 3;
            StringBuilder b = new StringBuilder();
            Decision.appendScore(b, s);
            assertThat(b.toString()).as("score %s", s).isEqualTo(String.format(Locale.ROOT, "%.3f", s));
        }
    }
}
