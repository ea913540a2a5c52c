package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.router.dispatch.config.YamlSection;
import io.roundhouse.router.dispatch.view.StaticNode;
import io.roundhouse.router.health.HealthSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DispatchSettingsTest {

    static YamlSection root(String yaml) throws Exception {
        JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return YamlSection.of("", tree);
    }

    @Test
    void absentSectionsGiveTheDocumentedDefaults() throws Exception {
        YamlSection r = root("sip: {}\n");
        assertThat(DispatchSettings.parse(r.section("dispatch"))).isEqualTo(DispatchSettings.DEFAULTS);
        assertThat(HealthSettings.parse(r.section("health"))).isEqualTo(HealthSettings.DEFAULTS);
        assertThat(DispatchSettings.DEFAULTS.maxAttempts()).isEqualTo(3);
        assertThat(DispatchSettings.DEFAULTS.refreshInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(HealthSettings.DEFAULTS.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(HealthSettings.DEFAULTS.downAfter()).isEqualTo(3);
        assertThat(HealthSettings.DEFAULTS.upAfter()).isEqualTo(2);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        YamlSection r = root("""
                dispatch:
                  max-attempts: 5
                  refresh-interval: 250ms
                  require-agent: true
                  redis-timeout: 200ms
                  redis-threads: 2
                  decisions-kept: 50
                  least-loaded: { channel-weight: 0.7 }
                  default-retry-after: 10s
                  trust-node-ports: false
                  call-state-ttl: 2m
                  outage-holdover: 3s
                health: { enabled: true, interval: 1s, timeout: 500ms, down-after: 2, up-after: 4 }
                """);
        assertThat(DispatchSettings.parse(r.section("dispatch"))).isEqualTo(new DispatchSettings(5,
                Duration.ofMillis(250), true, Duration.ofMillis(200), 2, 50, 0.7, Duration.ofSeconds(10), false,
                Duration.ofMinutes(2), Duration.ofSeconds(3)));
        assertThat(HealthSettings.parse(r.section("health"))).isEqualTo(new HealthSettings(true, Duration.ofSeconds(1),
                Duration.ofMillis(500), 2, 4));
    }

    @Test
    void badValuesNameTheirKeyAndWhatWasExpected() {
        assertThatThrownBy(() -> DispatchSettings.parse(root("dispatch: { max-attempts: 0 }").section("dispatch")))
                .hasMessage("dispatch.max-attempts: 0 (expected: an integer 1..16)");
        assertThatThrownBy(() -> DispatchSettings.parse(root("dispatch: { refresh-interval: soon }").section("dispatch")))
                .hasMessage("dispatch.refresh-interval: 'soon' (expected: a duration such as 500ms, 2s, 5m, 1h, 1d or PT2S)");
        assertThatThrownBy(() -> DispatchSettings.parse(root("dispatch: { max-atempts: 2 }").section("dispatch")))
                .hasMessageStartingWith("dispatch.max-atempts: unknown key");
        assertThatThrownBy(() -> HealthSettings.parse(root("health: { interval: 1s, timeout: 2s }").section("health")))
                .hasMessageStartingWith("health.timeout: 2000ms (expected: at most health.interval");
        assertThatThrownBy(() -> HealthSettings.parse(root("health: 5").section("health")))
                .hasMessage("health: 5 (expected: a mapping)");
    }

    @Test
    void staticNodesParseWithDefaultWeightAndRejectDuplicates() throws Exception {
        assertThat(StaticNode.parseAll(root("""
                nodes:
                  - { id: asterisk-1, uri: "sip:127.0.0.1:5081", weight: 80 }
                  - { id: asterisk-2, uri: "sip:127.0.0.1:5082" }
                """))).containsExactly(new StaticNode("asterisk-1", "sip:127.0.0.1:5081", 80),
                new StaticNode("asterisk-2", "sip:127.0.0.1:5082", 1));
        assertThatThrownBy(() -> StaticNode.parseAll(root("nodes: [ { id: a, uri: \"sip:h\" }, { id: a, uri: \"sip:g\" } ]")))
                .hasMessageStartingWith("nodes[1].id: a");
        assertThatThrownBy(() -> StaticNode.parseAll(root("nodes: [ { id: \"node 1\", uri: \"sip:h\" } ]")))
                .hasMessageStartingWith("nodes[0].id: node 1 (expected: one word");
        assertThatThrownBy(() -> StaticNode.parseAll(root("nodes: [ { id: a, uri: \"http://h\" } ]")))
                .hasMessageStartingWith("nodes[0].uri: http://h");
    }
}
