package io.roundhouse.router.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How long a shed INVITE is remembered, on an injected clock: keep 32 s (64*T1), so two generations of 16 s. */
@Timeout(5)
class RecentlyShedTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final RecentlyShed shed = new RecentlyShed(Duration.ofSeconds(32), 1_000, nanos::get);

    private void after(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void nothingShedIsEmptyAndContainsNothing() {
        assertThat(shed.isEmpty()).isTrue();
        assertThat(shed.contains(42)).isFalse();
    }

    @Test
    void aShedInviteIsRememberedForAtLeastHalfOfKeep() {
        shed.add(42);
        after(Duration.ofSeconds(16).minusNanos(1));
        shed.add(7); // the first generation is still the current one
        after(Duration.ofSeconds(15));

        assertThat(shed.isEmpty()).isFalse();
        assertThat(shed.contains(42)).as("31 s: in the previous generation").isTrue();
        assertThat(shed.contains(7)).isTrue();
        assertThat(shed.contains(43)).isFalse();
    }

    @Test
    void afterKeepWithoutSheddingEverythingIsForgotten() {
        shed.add(42);
        after(Duration.ofSeconds(32));

        assertThat(shed.isEmpty()).isTrue();
        assertThat(shed.contains(42)).isFalse();
    }

    @Test
    void aGenerationOlderThanKeepIsDroppedAtTheNextTurn() {
        shed.add(1);
        after(Duration.ofSeconds(17));
        shed.add(2); // turn: 1 is in the previous generation
        after(Duration.ofSeconds(17));

        assertThat(shed.contains(2)).as("17 s old").isTrue();
        assertThat(shed.contains(1)).as("34 s old").isFalse();
    }

    @Test
    void aFloodShortensTheMemoryButNeverGrowsIt() {
        for (long f = 1; f <= 2_500; f++) {
            shed.add(f);
        }

        assertThat(shed.contains(2_500)).isTrue();
        assertThat(shed.contains(1_001)).as("the previous generation").isTrue();
        assertThat(shed.contains(1_000)).as("two generations of 1,000 back").isFalse();
    }

    @Test
    void zeroIsAFingerprintLikeAnyOther() {
        shed.add(0);

        assertThat(shed.contains(0)).isTrue();
    }
}
