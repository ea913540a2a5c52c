package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.health.HealthSettings;
import io.roundhouse.router.testing.TestRouters;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code dispatch:}, {@code health:} and {@code nodes:} sections of live dispatch: defaults, keys and errors. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class DispatchSettingsTest {

    static final String SERVICES = "services: [ { name: default, app: Default } ]\n";

    static RouterConfig live(String sections) {
        return TestRouters.live(SERVICES + sections);
    }

    @Test
    void absentSectionsGiveTheDocumentedDefaults() {
        RouterConfig c = live("");
        assertThat(c.dispatch()).isEqualTo(DispatchSettings.DEFAULTS);
        assertThat(c.health()).isEqualTo(HealthSettings.DEFAULTS);
        assertThat(live("dispatch: {}\nhealth: {}\n").dispatch()).isEqualTo(DispatchSettings.DEFAULTS);
        assertThat(DispatchSettings.DEFAULTS.maxAttempts()).isEqualTo(3);
        assertThat(DispatchSettings.DEFAULTS.refreshInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(HealthSettings.DEFAULTS.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(HealthSettings.DEFAULTS.downAfter()).isEqualTo(3);
        assertThat(HealthSettings.DEFAULTS.upAfter()).isEqualTo(2);
        assertThat(HealthSettings.DEFAULTS.inviteTimeouts()).isEqualTo(3);
        assertThat(HealthSettings.DEFAULTS.trialEvery()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyKeyIsRead() {
        RouterConfig c = live("""
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
                  placement-reclaim-after: 5m
                health: { enabled: true, interval: 1s, timeout: 500ms, down-after: 2, up-after: 4, invite-timeouts: 5,
                          trial-every: 1m }
                """);
        assertThat(c.dispatch()).isEqualTo(new DispatchSettings(5, Duration.ofMillis(250), true,
                Duration.ofMillis(200), 2, 50, 0.7, Duration.ofSeconds(10), false, Duration.ofMinutes(2),
                Duration.ofSeconds(3), Duration.ofMinutes(5)));
        assertThat(c.health()).isEqualTo(new HealthSettings(true, Duration.ofSeconds(1), Duration.ofMillis(500), 2,
                4, 5, Duration.ofMinutes(1)));
    }

    @Test
    void aShortHealthIntervalAloneBringsTheDefaultTimeoutDownToIt() {
        assertThat(live("health: { interval: 1s }").health().timeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void badDispatchValuesNameTheirKeyAndWhatWasExpected() {
        assertThatThrownBy(() -> live("dispatch: { max-attempts: 0 }"))
                .hasMessage("dispatch.max-attempts: 0 (expected: an integer 1..16)");
        assertThatThrownBy(() -> live("dispatch: { max-attempts: \"3\" }"))
                .hasMessage("dispatch.max-attempts: \"3\" (expected: an integer)");
        assertThatThrownBy(() -> live("dispatch: { max-attempts: 2.5 }"))
                .hasMessage("dispatch.max-attempts: 2.5 (expected: an integer)");
        assertThatThrownBy(() -> live("dispatch: { refresh-interval: soon }"))
                .hasMessage("dispatch.refresh-interval: 'soon' (expected: a duration such as 500ms, 2s, 5m, 1h, 1d or PT2S)");
        assertThatThrownBy(() -> live("dispatch: { refresh-interval: 100 }"))
                .hasMessage("dispatch.refresh-interval: 100 (expected: a duration with its unit, such as 500ms, 4s, 3m)");
        assertThatThrownBy(() -> live("dispatch: { refresh-interval: 10ms }"))
                .hasMessage("dispatch.refresh-interval: 10ms (expected: at least 100ms)");
        assertThatThrownBy(() -> live("dispatch: { redis-timeout: 11s }"))
                .hasMessageStartingWith("dispatch.redis-timeout: 11000ms (expected: at most 10s");
        assertThatThrownBy(() -> live("dispatch: { placement-reclaim-after: 5s }"))
                .hasMessageStartingWith("dispatch.placement-reclaim-after: 5000ms (expected: 0s to never release them,"
                        + " or at least 10s");
        assertThat(live("dispatch: { placement-reclaim-after: 0s }").dispatch().placementReclaimAfter()).isZero();
        assertThatThrownBy(() -> live("dispatch: { require-agent: yes please }"))
                .hasMessage("dispatch.require-agent: \"yes please\" (expected: true or false)");
        assertThatThrownBy(() -> live("dispatch: { least-loaded: { channel-weight: 2 } }"))
                .hasMessage("dispatch.least-loaded.channel-weight: 2.0 (expected: a number 0.0..1.0)");
        assertThatThrownBy(() -> live("dispatch: { least-loaded: { weight: 1 } }"))
                .hasMessage("dispatch.least-loaded.weight: unknown key (expected one of: channel-weight)");
        assertThatThrownBy(() -> live("dispatch: { max-atempts: 2 }"))
                .hasMessageStartingWith("dispatch.max-atempts: unknown key (expected one of: call-state-ttl,");
        assertThatThrownBy(() -> live("dispatch: [ 1 ]")).hasMessage("dispatch: a list (expected: a mapping)");
    }

    @Test
    void badHealthValuesNameTheirKeyAndWhatWasExpected() {
        assertThatThrownBy(() -> live("health: { interval: 1s, timeout: 2s }"))
                .hasMessageStartingWith("health.timeout: 2000ms (expected: at most health.interval");
        assertThatThrownBy(() -> live("health: 5")).hasMessage("health: 5 (expected: a mapping)");
        assertThatThrownBy(() -> live("health: { down-after: 0 }"))
                .hasMessage("health.down-after: 0 (expected: an integer 1..100)");
        assertThatThrownBy(() -> live("health: { interval: 50ms }"))
                .hasMessage("health.interval: 50ms (expected: at least 100ms)");
        assertThatThrownBy(() -> live("health: { enabled: 1 }"))
                .hasMessage("health.enabled: 1 (expected: true or false)");
        assertThatThrownBy(() -> live("health: { invite-timeouts: 0 }"))
                .hasMessage("health.invite-timeouts: 0 (expected: an integer 1..100)");
        assertThatThrownBy(() -> live("health: { trial-every: 500ms }"))
                .hasMessage("health.trial-every: 500ms (expected: at least 1000ms)");
    }

    @Test
    void nodesTakeTheirDefaultWeightAndAreKnownByIdAloneWhenAnAgentPublishesThem() {
        RouterConfig c = live("""
                nodes:
                  - { id: asterisk-1, uri: "sip:127.0.0.1:5081", weight: 80 }
                  - { id: asterisk-2, uri: "sip:127.0.0.1:5082" }
                  - { id: asterisk-3 }
                """);
        assertThat(c.nodes()).containsExactly(new StaticNode("asterisk-1", "sip:127.0.0.1:5081", 80),
                new StaticNode("asterisk-2", "sip:127.0.0.1:5082", 1), new StaticNode("asterisk-3", null, 1));
        assertThat(DispatchSetup.staticNodes(c)).extracting(n -> n.id()).containsExactly("asterisk-1", "asterisk-2");
    }

    @Test
    void badNodesNameTheirKey() {
        assertThatThrownBy(() -> live("nodes: [ { id: a, uri: \"sip:h\" }, { id: a, uri: \"sip:g\" } ]"))
                .hasMessage("nodes[1].id: duplicate node id 'a'");
        assertThatThrownBy(() -> live("nodes: [ { id: \"node 1\", uri: \"sip:h\" } ]"))
                .hasMessageStartingWith("nodes[0].id: node 1 (expected: one word");
        assertThatThrownBy(() -> live("nodes: [ { id: a, uri: \"http://h\" } ]"))
                .hasMessageStartingWith("nodes[0].uri: 'http://h' (expected: a sip: URI");
        assertThatThrownBy(() -> live("nodes: [ { uri: \"sip:h\" } ]"))
                .hasMessageStartingWith("nodes[0].id: missing");
        assertThatThrownBy(() -> live("nodes: [ { id: a, weight: 5 } ]"))
                .hasMessageStartingWith("nodes[0].weight: 5 without uri");
        assertThatThrownBy(() -> live("nodes: [ { id: a, uri: \"sip:h\" }, ~ ]"))
                .hasMessageStartingWith("nodes[1]: null (expected: a mapping");
        assertThatThrownBy(() -> live("nodes: { id: a }"))
                .hasMessage("nodes: a mapping (expected: a list)");
    }
}
