package io.roundhouse.agent.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.agent.admission.AdmissionThresholds;
import io.roundhouse.shared.config.ConfigException;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ServicesSettingsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode services(String yaml) throws Exception {
        return YAML.readTree(yaml).get("services");
    }

    @Test
    void readsThresholdsAndOptionsPerService() throws Exception {
        ServicesSettings s = ServicesSettings.parse(services("""
                services:
                  Conference: { max-participants-per-node: 200, new-room-max-channels: 150, new-room-max-cpu: 80,
                                placement-key: "${arg1}:${room}" }
                  Echo: { max-channels: 10, max-cpu: 50.5, sound: "sound:demo-congrats" }
                """));

        assertThat(s.of("Conference").thresholds()).isEqualTo(new AdmissionThresholds(150, 80, 200));
        assertThat(s.of("Conference").option("placement-key", "")).isEqualTo("${arg1}:${room}");
        assertThat(s.of("Echo").thresholds()).isEqualTo(new AdmissionThresholds(10, 50.5, 200));
        assertThat(s.of("Echo").option("sound", "")).isEqualTo("sound:demo-congrats");
        assertThat(s.of("Queue")).isEqualTo(ServiceSettings.defaults("Queue"));
    }

    @Test
    void offTurnsCpuAdmissionOffUnderEitherSpelling() throws Exception {
        ServicesSettings s = ServicesSettings.parse(services("""
                services:
                  Conference: { new-room-max-cpu: off }
                  Echo: { max-cpu: "off", max-channels: 10 }
                """));

        assertThat(s.of("Conference").thresholds().maxCpuPercent()).isEmpty();
        assertThat(s.of("Echo").thresholds()).isEqualTo(new AdmissionThresholds(10, OptionalDouble.empty(), 200));
    }

    @Test
    void aMissingBlockGivesDefaults() {
        assertThat(ServicesSettings.parse(null).of("Conference").thresholds()).isEqualTo(AdmissionThresholds.DEFAULTS);
    }

    @Test
    void namesTheKeyOfEveryDefect() {
        assertError("services: [Conference]", "services");
        assertError("services: { Conference: 3 }", "services.Conference");
        assertError("services: { Conference: { new-room-max-cpu: 120 } }", "services.Conference.new-room-max-cpu");
        assertError("services: { Conference: { new-room-max-cpu: none } }", "services.Conference.new-room-max-cpu");
        assertError("services: { Echo: { max-cpu: on } }", "services.Echo.max-cpu");
        assertError("services: { Conference: { new-room-max-channels: -1 } }",
                "services.Conference.new-room-max-channels");
        assertError("services: { Conference: { max-participants-per-node: many } }",
                "services.Conference.max-participants-per-node");
        assertError("services: { Echo: { max-channels: 1, new-room-max-channels: 2 } }", "services.Echo.max-channels");
        assertError("services: { Echo: { sound: [a, b] } }", "services.Echo.sound");
    }

    private static void assertError(String yaml, String key) {
        assertThatThrownBy(() -> ServicesSettings.parse(services(yaml)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining("expected");
    }
}
