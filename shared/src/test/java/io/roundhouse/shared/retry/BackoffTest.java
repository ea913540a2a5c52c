package io.roundhouse.shared.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(5)
class BackoffTest {

    @Test
    void delaysDoubleUpToTheCapWithTheJitterInTheUpperHalf() {
        Backoff top = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.999_999);
        long[] expectedCeilings = {500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000};
        for (long ceiling : expectedCeilings) {
            // half + 0.999999 x half: within a millisecond of the ceiling, never above it
            assertThat(top.nextDelay().toMillis()).isBetween(ceiling - 1, ceiling);
        }
        Backoff bottom = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);
        for (long ceiling : expectedCeilings) {
            assertThat(bottom.nextDelay().toMillis()).isEqualTo(ceiling / 2);
        }
        assertThat(bottom.failures()).isEqualTo(expectedCeilings.length);
    }

    @Test
    void aSuccessStartsAgainFromTheMinimum() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), () -> 0.0);
        b.nextDelay();
        b.nextDelay();
        b.nextDelay();
        b.reset();
        assertThat(b.failures()).isZero();
        assertThat(b.nextDelay()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void manyFailuresNeverOverflowPastTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofSeconds(5), () -> 0.5);
        Duration last = Duration.ZERO;
        for (int i = 0; i < 10_000; i++) {
            last = b.nextDelay();
        }
        assertThat(last).isEqualTo(Duration.ofMillis(3_750));
    }

    @Test
    void refusesAnInvertedRange() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), () -> 0.0))
                .hasMessageContaining("expected: 0 < min <= max");
    }
}
