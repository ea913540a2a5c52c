package io.roundhouse.router.flood;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.shared.config.ConfigException;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code sip.flood} in the router's YAML. */
@Timeout(10)
class FloodSettingsTest {

    private static RouterConfig config(String flood) {
        return RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\" ]\n" + flood);
    }

    @Test
    void absentMeansTheNamedDefaults() {
        FloodSettings f = config("").flood();

        assertThat(f.enabled()).isTrue();
        assertThat(f.window()).isEqualTo(FloodSettings.DEFAULT_WINDOW);
        assertThat(f.maxMessages()).isEqualTo(FloodSettings.DEFAULT_MAX_MESSAGES);
        assertThat(f.blockFor()).isEqualTo(FloodSettings.DEFAULT_BLOCK_FOR);
        assertThat(f.maxSources()).isEqualTo(FloodSettings.DEFAULT_MAX_SOURCES);
        assertThat(f.exempt()).isEmpty();
    }

    @Test
    void everyKeyIsRead() throws Exception {
        FloodSettings f = config("  flood: { enabled: true, window: 1s, max-messages: 500, block-for: 1m,"
                + " max-sources: 1000, exempt: [ \"192.0.2.10\", \"2001:db8::1\" ] }").flood();

        assertThat(f.window()).isEqualTo(Duration.ofSeconds(1));
        assertThat(f.maxMessages()).isEqualTo(500);
        assertThat(f.blockFor()).isEqualTo(Duration.ofMinutes(1));
        assertThat(f.maxSources()).isEqualTo(1000);
        assertThat(f.exemptAddresses()).containsExactlyInAnyOrder(InetAddress.getByName("192.0.2.10"),
                InetAddress.getByName("2001:db8::1"));
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> config("  flood: { max-messages: 5 }")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.flood.max-messages: 5 (expected: 10 or more");
        assertThatThrownBy(() -> config("  flood: { window: 2 }")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.flood.window:");
        assertThatThrownBy(() -> config("  flood: { exempt: [ \"sbc.example.com\" ] }"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sip.flood.exempt[0]: 'sbc.example.com'");
        assertThatThrownBy(() -> config("  flood: { rate: 5 }")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.flood.rate: unknown key");
    }
}
