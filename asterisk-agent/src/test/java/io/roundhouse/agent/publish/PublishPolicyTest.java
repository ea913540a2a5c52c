package io.roundhouse.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PublishPolicyTest {

    private static final long MS = 1_000_000L;
    private final PublishPolicy policy = new PublishPolicy(Duration.ofSeconds(1), Duration.ofMillis(200));

    @Test
    void firstWriteIsDueAtOnceThenEveryInterval() {
        long t0 = 5_000 * MS;
        assertThat(policy.nanosUntilDue(t0)).isLessThanOrEqualTo(0);
        policy.written(t0);
        assertThat(policy.nanosUntilDue(t0)).isEqualTo(1_000 * MS);
        assertThat(policy.nanosUntilDue(t0 + 999 * MS)).isEqualTo(MS);
        assertThat(policy.nanosUntilDue(t0 + 1_000 * MS)).isZero();
    }

    @Test
    void aBurstOfChangesIsWrittenOnceDebounceAfterTheFirst() {
        long t0 = 0;
        policy.written(t0);
        policy.changed(t0 + 100 * MS);
        policy.changed(t0 + 150 * MS);
        policy.changed(t0 + 290 * MS);
        assertThat(policy.nanosUntilDue(t0 + 150 * MS)).isEqualTo(150 * MS);
        assertThat(policy.nanosUntilDue(t0 + 300 * MS)).isZero();
        policy.written(t0 + 300 * MS);
        assertThat(policy.nanosUntilDue(t0 + 300 * MS)).as("back to the heartbeat").isEqualTo(1_000 * MS);
    }

    @Test
    void aChangeJustBeforeTheHeartbeatWaitsOnlyForTheHeartbeat() {
        policy.written(0);
        policy.changed(950 * MS);
        assertThat(policy.nanosUntilDue(950 * MS)).isEqualTo(50 * MS);
    }

    @Test
    void afterAFailureNothingIsDueBeforeTheRetryTime() {
        policy.written(0);
        policy.failed(1_000 * MS, Duration.ofMillis(800));
        policy.changed(1_100 * MS);
        assertThat(policy.nanosUntilDue(1_500 * MS)).isEqualTo(300 * MS);
        assertThat(policy.nanosUntilDue(1_800 * MS)).isZero();
        policy.written(1_800 * MS);
        assertThat(policy.nanosUntilDue(1_800 * MS)).isEqualTo(1_000 * MS);
    }

    @Test
    void aChangeDuringAWriteIsWrittenAfterItsDebounceNotAtTheNextHeartbeat() {
        policy.written(0);
        policy.changed(100 * MS);
        // The write composed its state at 300 ms; a change arrived at 310 ms, while Redis was being written.
        policy.changed(310 * MS);
        policy.written(300 * MS);
        assertThat(policy.nanosUntilDue(320 * MS)).isEqualTo(190 * MS);
    }
}
