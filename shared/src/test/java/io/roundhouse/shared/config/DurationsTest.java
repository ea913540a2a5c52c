package io.roundhouse.shared.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "2s, PT2S",
            "' 2s ', PT2S",
            "5m, PT5M",
            "1h, PT1H",
            "1d, PT24H",
            "0s, PT0S",
            "PT2S, PT2S",
            "PT0.25S, PT0.25S"})
    void readsAWholeNumberWithAUnitOrIso8601(String text, String expected) {
        assertThat(Durations.parse("sip.timer-b", text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "2", "-1s", "1.5s", "2 weeks", "s", "2sec", "PT-2S", "P", "99999999999999999d"})
    void refusesAnythingElseNamingTheKeyAndQuotingTheText(String text) {
        assertThatThrownBy(() -> Durations.parse("sip.timer-b", text))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.timer-b: ")
                .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("sip.timer-b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0s", "0ms", "PT0S"})
    void parsePositiveRefusesZero(String text) {
        assertThatThrownBy(() -> Durations.parsePositive("redis.socket-timeout", text))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("zero");
    }
}
