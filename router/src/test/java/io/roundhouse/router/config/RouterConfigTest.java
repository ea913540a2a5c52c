package io.roundhouse.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.transport.Transport;
import io.roundhouse.shared.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The router's YAML config: keys of issue 3, defaults, and errors that name the key. */
class RouterConfigTest {

    private static void assertRejected(String yaml, String key, String reasonPart) {
        assertThatThrownBy(() -> RouterConfig.parse(yaml)).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.getMessage()).contains(reasonPart);
        });
    }

    @Test
    void theExampleConfigLoadsWithDefaults() {
        RouterConfig c = RouterConfig.load(Path.of("router.example.yml"));
        assertThat(c.listen()).containsExactly(new ListenAddress(Transport.UDP, "127.0.0.1", 5060),
                new ListenAddress(Transport.TCP, "127.0.0.1", 5060));
        assertThat(c.nodes()).containsExactly(new StaticNode("asterisk-1", "sip:127.0.0.1:5081", 80),
                new StaticNode("asterisk-2", "sip:127.0.0.1:5082", 20));
        assertThat(c.maxMessageSize()).isEqualTo(65536);
        assertThat(c.recordRoute()).isTrue();
        assertThat(c.timers().t1()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.timers().timerB()).isEqualTo(Duration.ofSeconds(32));
        assertThat(c.timers().failoverTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void timersDeriveFromT1AndCanBeSetOneByOne() {
        RouterConfig c = RouterConfig.parse("""
                sip:
                  listen: [ "udp:[::1]:0" ]
                  timers: { t1: 100ms, timer-c: 3m, failover-timeout: 750ms }
                """);
        assertThat(c.listen().get(0)).isEqualTo(new ListenAddress(Transport.UDP, "::1", 0));
        assertThat(c.timers().timerB()).isEqualTo(Duration.ofMillis(6400));
        assertThat(c.timers().timerF()).isEqualTo(Duration.ofMillis(6400));
        assertThat(c.timers().timerC()).isEqualTo(Duration.ofMinutes(3));
        assertThat(c.timers().failoverTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.timers().timerD()).isEqualTo(Duration.ofSeconds(32));
    }

    @Test
    void sectionsOfOtherComponentsAreAcceptedAndKeptInTheTree() {
        RouterConfig c = RouterConfig.parse("""
                sip: { listen: [ "tcp:127.0.0.1:5070" ], record-route: false, advertised-address: 192.0.2.1 }
                redis: { url: "redis://127.0.0.1:6379/0" }
                services: [ { name: default, app: Default } ]
                health: { interval: 5s }
                dispatch: {}
                metrics: {}
                """);
        assertThat(c.tree().path("services").get(0).path("app").asText()).isEqualTo("Default");
        assertThat(c.recordRoute()).isFalse();
        assertThat(c.advertisedAddress()).contains("192.0.2.1");
    }

    @Test
    void healthIsAcceptedWithoutServicesSinceRoundRobinProbesToo() {
        RouterConfig c = RouterConfig.parse("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nhealth: { interval: 5s }\n");
        assertThat(c.tree().path("health").path("interval").asText()).isEqualTo("5s");
    }

    @Test
    void badConfigsNameTheOffendingKey() {
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nbogus: 1\n", "bogus", "unknown key");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nadmins: {}\n", "admins", "unknown key");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], timers: { t1: 500 } }", "sip.timers.t1",
                "a duration with its unit");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\ndispatch: { max-attempts: 2 }\n", "dispatch",
                "used only by live dispatch");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nnodes: [ { id: a, uri: \"sip:127.0.0.1:5081\", weight: 0 } ]\n",
                "nodes[0].weight", "expected: 1..1000000");
        assertRejected("sip: { listen: [ \"sctp:127.0.0.1:5060\" ] }", "sip.listen[0]", "unknown transport");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:70000\" ] }", "sip.listen[0]", "out of range");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1\" ] }", "sip.listen[0]", "expected");
        assertRejected("sip: { listen: [] }", "sip.listen", "non-empty");
        assertRejected("nodes: []", "sip", "missing");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], timers: { t1: fast } }", "sip.timers.t1",
                "duration");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], timers: { t9: 1s } }", "sip.timers.t9",
                "unknown key");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nnodes: [ { id: a, uri: \"http://x\" } ]",
                "nodes[0].uri", "sip: URI");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nnodes: [ { id: a, uri: \"sip:h\" },"
                + " { id: a, uri: \"sip:h2\" } ]", "nodes[1].id", "duplicate");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], max-message-size: 10 }", "sip.max-message-size",
                "1024");
        assertRejected("sip: [", "(document)", "not valid YAML");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nnodes: [ { id: a, uri: \"sip:h:port\" } ]",
                "nodes[0].uri", "malformed port");
    }
}
