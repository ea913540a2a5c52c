package io.roundhouse.router.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.shared.config.ConfigException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.reload.ReloadResult;
import io.roundhouse.router.reload.Reloader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code sip.websocket} as the config file binds it: defaults, origins, and refusals naming the key. */
@Timeout(30)
class WebSocketSettingsTest {

    @Test
    void defaultsAllowAnyOriginAndPingEveryThirtySeconds() {
        WebSocketSettings s = RouterConfig.parse("sip: { listen: [ \"ws:127.0.0.1:0\" ] }").sip().webSocket();
        assertThat(s.anyOrigin()).isTrue();
        assertThat(s.allows("https://anything.example")).isTrue();
        assertThat(s.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.pongTimeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void originsCompareWithoutCaseAndAbsentOriginIsNotChecked() {
        WebSocketSettings s = RouterConfig.parse("""
                sip:
                  listen: [ "ws:127.0.0.1:0" ]
                  websocket: { allowed-origins: [ "https://Phone.example.com:8443" ], ping-interval: 0s }
                """).sip().webSocket();
        assertThat(s.allows("https://phone.example.com:8443")).isTrue();
        assertThat(s.allows("https://phone.example.com")).isFalse();
        assertThat(s.allows("http://phone.example.com:8443")).isFalse();
        assertThat(s.allows(null)).isTrue();
        assertThat(s.pingInterval()).isZero();
    }

    @Test
    void badValuesAreRefusedWithTheirKey() {
        assertThatThrownBy(() -> RouterConfig.parse("""
                sip: { listen: [ "ws:127.0.0.1:0" ], websocket: { allowed-origins: [ "https://x.example/app" ] } }
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("sip.websocket.allowed-origins[0]");
        assertThatThrownBy(() -> RouterConfig.parse("""
                sip: { listen: [ "ws:127.0.0.1:0" ], websocket: { allowed-origins: [] } }
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("sip.websocket.allowed-origins");
        assertThatThrownBy(() -> RouterConfig.parse("""
                sip: { listen: [ "ws:127.0.0.1:0" ], websocket: { ping-interval: 100ms } }
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("sip.websocket.ping-interval");
        assertThatThrownBy(() -> RouterConfig.parse("""
                sip: { listen: [ "ws:127.0.0.1:0" ], websocket: { pongs: 1s } }
                """)).isInstanceOf(ConfigException.class).hasMessageContaining("pongs");
    }

    @Test
    void aChangeNeedsARestartAndAReloadRefusesIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("router.yml");
        Files.writeString(file, "sip: { listen: [ \"ws:127.0.0.1:8080\" ] }\n");
        Reloader reloader = new Reloader(file, Map.of(), RouterConfig.load(file, Map.of()), c -> { },
                new SimpleMeterRegistry());
        Files.writeString(file, "sip: { listen: [ \"ws:127.0.0.1:8080\" ], websocket: { ping-interval: 5s } }\n");

        ReloadResult result = reloader.reload();

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.REFUSED);
        assertThat(result.reason()).startsWith("needs a restart: sip.websocket: ");
    }

    @Test
    void wssNeedsTheTlsSection() {
        assertThatThrownBy(() -> RouterConfig.parse("sip: { listen: [ \"wss:127.0.0.1:0\" ] }"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sip.tls");
    }
}
