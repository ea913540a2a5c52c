package io.roundhouse.agent.ari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapAndStartsOverAfterASuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(2));

        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(2000));
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(2000));
        assertThat(backoff.failures()).isEqualTo(5);

        backoff.reset();
        assertThat(backoff.failures()).isZero();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void rejectsACapBelowTheFirstDelay() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected");
    }
}
