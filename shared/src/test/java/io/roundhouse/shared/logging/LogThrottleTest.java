package io.roundhouse.shared.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LogThrottleTest {

    private final AtomicLong nanos = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(3, Duration.ofSeconds(10), nanos::get);

    @Test
    void letsTheBurstThroughThenCountsWhatItLeavesOut() {
        assertThat(throttle.admit()).isZero();
        assertThat(throttle.admit()).isZero();
        assertThat(throttle.admit()).isZero();
        for (int i = 0; i < 3_000; i++) {
            assertThat(throttle.admit()).isEqualTo(LogThrottle.SUPPRESS);
        }
    }

    @Test
    void theFirstLineOfTheNextIntervalCarriesTheCountSuppressed() {
        for (int i = 0; i < 10; i++) {
            throttle.admit();
        }
        nanos.addAndGet(Duration.ofSeconds(10).toNanos());

        assertThat(throttle.admit()).isEqualTo(7);
        assertThat(throttle.admit()).isZero();
    }

    @Test
    void aBatchSummaryTakesTheCountOnce() {
        for (int i = 0; i < 5; i++) {
            throttle.admit();
        }

        assertThat(throttle.takeSuppressed()).isEqualTo(2);
        assertThat(throttle.takeSuppressed()).isZero();
    }

    @Test
    void theNoteSaysHowManyWereSuppressed() {
        assertThat(LogThrottle.suppressedNote(0)).isEmpty();
        assertThat(LogThrottle.suppressedNote(2_999)).isEqualTo(" (2999 similar lines suppressed)");
    }
}
