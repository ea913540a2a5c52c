package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code sip.connections} in the router's YAML. */
@Timeout(10)
class ConnectionLimitsTest {

    private static RouterConfig config(String connections) {
        return RouterConfig.parse("sip:\n  listen: [ \"tcp:127.0.0.1:0\" ]\n" + connections);
    }

    @Test
    void absentMeansTheNamedDefaults() {
        assertThat(config("").connections()).isEqualTo(new ConnectionLimits(ConnectionLimits.DEFAULT_MAX,
                ConnectionLimits.DEFAULT_MAX_PER_SOURCE, ConnectionLimits.DEFAULT_IDLE_TIMEOUT,
                ConnectionLimits.DEFAULT_MESSAGE_TIMEOUT));
    }

    @Test
    void everyKeyIsRead() {
        assertThat(config("  connections: { max: 500, max-per-source: 5, idle-timeout: 2m, message-timeout: 3s }")
                .connections()).isEqualTo(new ConnectionLimits(500, 5, Duration.ofMinutes(2), Duration.ofSeconds(3)));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> config("  connections: { max: 10, max-per-source: 20 }"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.connections.max-per-source: 20 (expected: 1..10");
        assertThatThrownBy(() -> config("  connections: { message-timeout: 20m }"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sip.connections.message-timeout:");
        assertThatThrownBy(() -> config("  connections: { idle: 5m }"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sip.connections.idle: unknown key");
    }

    @Test
    void aDescriptorLimitTooLowForTheCapIsWarnedAbout() {
        assertThat(ConnectionLimits.DEFAULTS.descriptorShortfall(1024))
                .hasValueSatisfying(w -> assertThat(w).contains("10000").contains("1024").contains("LimitNOFILE"));
        assertThat(ConnectionLimits.DEFAULTS.descriptorShortfall(65536)).isEmpty();
    }
}
