package io.roundhouse.agent.services;

import io.roundhouse.agent.state.SettableLoad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.agent.admission.AdmissionThresholds;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.state.Placements;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Configuration faults of the hands are caught at start-up and name the key to fix. No network is used. */
class ServiceHostConfigTest {

    /** Never called: these tests fail before any call is placed or released. */
    private static final Placements UNUSED = new Placements() {
        @Override
        public Optional<String> lookup(String key) {
            throw new AssertionError("not expected");
        }

        @Override
        public Claim claim(String key, String nodeId) {
            throw new AssertionError("not expected");
        }

        @Override
        public Move move(String key, String fromNodeId, String toNodeId) {
            throw new AssertionError("not expected");
        }

        @Override
        public boolean release(String key, String nodeId) {
            throw new AssertionError("not expected");
        }

        @Override
        public Map<String, String> readAll() {
            throw new AssertionError("not expected");
        }
    };

    private static AriSettings ari(String... apps) {
        return new AriSettings(URI.create("http://127.0.0.1:1/"), "u", "p", List.of(apps), Duration.ofMillis(50),
                Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    private static ServicesSettings services(String yaml) throws Exception {
        return ServicesSettings.parse(new ObjectMapper(new YAMLFactory()).readTree(yaml));
    }

    private static ServiceHost host(AriSettings ari, ServicesSettings services) {
        return new ServiceHost(ari, services, new SettableLoad(), UNUSED, "asterisk-1", () -> { });
    }

    @Test
    void anApplicationWithoutAServiceNamesItsEntryInAriApps() {
        assertThatThrownBy(() -> host(ari("Conference", "Queue"), services("{}")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("ari.apps[1]"))
                .hasMessageContaining("Queue").hasMessageContaining("Conference, Echo");
    }

    @Test
    void settingsForAServiceThatIsNotRegisteredAreAnError() {
        assertThatThrownBy(() -> host(ari("Conference"), services("Echo: { max-channels: 3 }")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("services.Echo"));
    }

    @Test
    void anUnknownOptionOrPlacementVariableIsAnError() {
        assertThatThrownBy(() -> host(ari("Conference"), services("Conference: { room-key: x }")))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("services.Conference.room-key"));
        String unknownVariable = "Conference: { placement-key: \"${host}:${room}\" }";
        assertThatThrownBy(() -> host(ari("Conference"), services(unknownVariable)))
                .isInstanceOfSatisfying(ConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("services.Conference.placement-key"))
                .hasMessageContaining("${host}");
    }

    @Test
    void placementKeyRendersTheRoutersAffinityKeyFromTheStasisArguments() {
        ServiceContext context = new ServiceContext(null, new SettableLoad(), UNUSED, "asterisk-1", () -> { });
        Conference byRoom = new Conference(ServiceSettings.defaults("Conference"), context);
        Conference byHostAndRoom = new Conference(new ServiceSettings("Conference", AdmissionThresholds.DEFAULTS,
                Map.of("placement-key", "${arg1}:${room}")), context);

        assertThat(byRoom.placementKey(List.of("1000"))).isEqualTo("1000");
        assertThat(byHostAndRoom.placementKey(List.of("1000", "example.com"))).isEqualTo("example.com:1000");
        assertThat(byHostAndRoom.placementKey(List.of("1000"))).isEqualTo(":1000");
        assertThat(byRoom.placementKey(List.of("1000", "placement=example.com:1000")))
                .as("the router's own key, passed on by the dialplan, wins over the template")
                .isEqualTo("example.com:1000");
    }
}
