package io.roundhouse.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.transport.ListenAddress;
import io.roundhouse.router.transport.Transport;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.HostPort;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The router's YAML config: keys of issue 3, defaults, and errors that name the key. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RouterConfigTest {

    static final String MINIMAL = "sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\n";

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
    void everySectionIsBoundIntoItsRecord() {
        RouterConfig c = RouterConfig.parse("""
                sip: { listen: [ "tcp:127.0.0.1:5070" ], record-route: false, advertised-address: 192.0.2.1 }
                nodes: [ { id: asterisk-1 } ]
                redis: { url: "redis://127.0.0.1:6380/2", key-prefix: "t:" }
                services: [ { name: default, app: Default, nodes: [ asterisk-1 ] } ]
                health: { interval: 5s }
                dispatch: {}
                metrics: { listen: "127.0.0.1:9464" }
                admin: {}
                """);
        assertThat(c.services().rules().get(0).app()).isEqualTo("Default");
        assertThat(c.liveDispatch()).isTrue();
        assertThat(c.recordRoute()).isFalse();
        assertThat(c.advertisedAddress()).contains("192.0.2.1");
        assertThat(c.redis().parsedUrl().port()).isEqualTo(6380);
        assertThat(c.redis().keyPrefix()).isEqualTo("t:");
        assertThat(c.metrics().endpoint()).contains(new HostPort("127.0.0.1", 9464));
        assertThat(c.adminApi()).hasValueSatisfying(a -> {
            assertThat(a.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 9465));
            assertThat(a.token()).isEmpty();
        });
    }

    @Test
    void withoutAdminSectionThereIsNoAdminApi() {
        assertThat(RouterConfig.parse(MINIMAL).adminApi()).isEmpty();
    }

    @Test
    void theAdminTokenComesFromTheEnvironmentFirstThenItsFileAndIsNeverPrinted(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("token"), "file-secret\n");
        Path file = dir.resolve("router.yml");
        Files.writeString(file, MINIMAL + "admin: { listen: \"127.0.0.1:0\", token-file: token }\n");

        AdminSettings fromFile = RouterConfig.load(file, Map.of()).admin();
        assertThat(fromFile.token()).contains("file-secret");
        assertThat(fromFile.toString()).doesNotContain("file-secret").contains("(set)");
        assertThat(RouterConfig.load(file, Map.of(AdminSettings.TOKEN_ENV, "env-secret")).admin().token())
                .contains("env-secret");

        Files.writeString(file, MINIMAL + "admin: { token-file: missing-token }\n");
        assertThatThrownBy(() -> RouterConfig.load(file, Map.of())).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e).hasMessageStartingWith("admin.token-file: ").hasMessageContaining("readable file"));
        Files.writeString(dir.resolve("token"), "two words\n");
        Files.writeString(file, MINIMAL + "admin: { token-file: token }\n");
        assertThatThrownBy(() -> RouterConfig.load(file, Map.of())).hasMessageContaining("without spaces");
    }

    @Test
    void theEnvironmentOverridesTheRedisUrlOnLoad(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("router.yml");
        Files.writeString(file, MINIMAL + "services: [ { name: d, app: D } ]\nredis: { url: \"redis://h:6379/0\" }\n");
        RouterConfig c = RouterConfig.load(file, Map.of("REDIS_URL", "redis://other:6390/0"));
        assertThat(c.redis().parsedUrl().host()).isEqualTo("other");
    }

    @Test
    void secretsAreNeverQuotedInErrors() {
        assertThatThrownBy(() -> RouterConfig.parse(MINIMAL + "services: [ { name: d, app: D } ]\n"
                + "redis: { url: [ \"redis://:hunter2@h:6379/0\" ] }\n")).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RouterConfig.parse(MINIMAL + "services: [ { name: d, app: D } ]\n"
                + "redis: { url: \"redis://:hunter2@h:6379/x\" }\n")).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RouterConfig.parse(MINIMAL + "admin: { token-file: [ hunter2 ] }\n"))
                .hasMessage("admin.token-file: *** (expected: a string)");
    }

    @Test
    void healthIsAcceptedWithoutServicesSinceRoundRobinProbesToo() {
        RouterConfig c = RouterConfig.parse("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nhealth: { interval: 5s }\n");
        assertThat(c.health().interval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void callersKeepTheirPortOnAPortOfTheirOwn() {
        RouterConfig c = RouterConfig.parse("sip: { listen: [ \"udp:10.0.0.5:5062\", \"udp:192.0.2.10:5060\" ],"
                + " advertised-address: sip.example.com, callers-keep-their-port: true }\n");
        assertThat(c.sip().callersKeepTheirPort()).isTrue();
        assertThat(RouterConfig.parse(MINIMAL).sip().callersKeepTheirPort()).as("default").isFalse();
    }

    @Test
    void badConfigsNameTheOffendingKey() {
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], no-service-status: 401 }\n",
                "sip.no-service-status", "expected: a 4xx, 5xx or 6xx status other than 401 and 407");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], no-service-status: 200 }\n",
                "sip.no-service-status", "expected");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], retry-after: 500ms }\n", "sip.retry-after",
                "or 0s for no Retry-After");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\", \"tcp:127.0.0.1:5060\" ],"
                + " callers-keep-their-port: true }\n", "sip.callers-keep-their-port", "no port for new calls");
        assertRejected("sip: { listen: [ \"udp:10.0.0.5:5060\", \"udp:192.0.2.10:5060\" ],"
                + " advertised-address: sip.example.com, callers-keep-their-port: true }\n",
                "sip.callers-keep-their-port", "share port 5060");
        assertRejected(MINIMAL + "bogus: 1\n", "bogus", "unknown key (expected one of: admin, dispatch, health,"
                + " metrics, nodes, redis, services, sip)");
        assertRejected(MINIMAL + "admin: { token: s3cret }\n", "admin.token", "unknown key (expected one of: listen, token-file)");
        assertRejected(MINIMAL + "admin: { listen: \"localhost\" }\n", "admin.listen", "expected: host:port");
        assertRejected(MINIMAL + "metrics: { listen: \"127.0.0.1:http\" }\n", "metrics.listen", "port number");
        assertRejected(MINIMAL + "metrics: { port: 1 }\n", "metrics.port", "unknown key (expected one of: listen)");
        assertRejected(MINIMAL + "services: [ { name: d, app: D } ]\nredis: { url: \"redis://:pw@h:99999/0\" }\n",
                "redis.url", "port 99999");
        assertRejected(MINIMAL + "services: [ { name: d, app: D } ]\nredis: { socket-timeout: 0s }\n",
                "redis.socket-timeout", "positive");
        assertRejected(MINIMAL + "services: [ { name: d, app: D } ]\nredis: { sentinel: { master: m } }\n",
                "redis.sentinel.nodes", "at least one host:port");
        assertRejected(MINIMAL + "redis: {}\n", "redis", "used only by live dispatch");
        assertRejected(MINIMAL + "dispatch: {}\n", "dispatch", "used only by live dispatch");
        assertRejected(MINIMAL + "nodes: [ { id: a } ]\n", "nodes[0].uri", "missing");
        assertRejected(MINIMAL + "services: [ { name: d, app: D, nodes: [ x ] } ]\n", "services[0].nodes[0]",
                "expected one of the nodes: []");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], record-route: \"true\" }", "sip.record-route",
                "\"true\" (expected: true or false)");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], max-message-size: \"4096\" }",
                "sip.max-message-size", "(expected: an integer)");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ] }\nsip: {}\n", "(document)", "Duplicate field 'sip'");
        assertRejected("sip: { listen: \"udp:127.0.0.1:5060\" }", "sip.listen", "(expected: a list)");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\", \"udp:127.0.0.1:5060\" ] }", "sip.listen[1]",
                "duplicate listen address");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], retry-after: 500ms }", "sip.retry-after",
                "1s or more");
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], timers: { t1: 1s, t2: 500ms } }", "sip.timers.t2",
                "less than t1");
        assertRejected("", "(document)", "empty");
        assertRejected(MINIMAL + "admins: {}\n", "admins", "unknown key");
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
        assertRejected("sip: {}", "sip.listen", "missing");
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

    @Test
    void overloadLimitsBindWithTheirDefaultsAndABadOneIsRefusedWithItsPath() {
        assertThat(RouterConfig.parse(MINIMAL).overload()).isEqualTo(io.roundhouse.router.overload.OverloadSettings
                .DEFAULTS);
        RouterConfig c = RouterConfig.parse("sip: { listen: [ \"udp:127.0.0.1:5060\" ],"
                + " overload: { window: 2s, max-calls-in-progress: 500 } }\n");
        assertThat(c.overload().window()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(c.overload().maxCallsInProgress()).isEqualTo(500);
        assertThat(c.overload().maxLoopBusy()).isEqualTo(90);
        assertRejected("sip: { listen: [ \"udp:127.0.0.1:5060\" ], overload: { max-loop-busy: 150 } }\n",
                "sip.overload.max-loop-busy", "expected: a percentage 10..100");
    }
}
