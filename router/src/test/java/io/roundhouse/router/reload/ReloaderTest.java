package io.roundhouse.router.reload;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.config.RouterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a reload applies, what it refuses and why; the running config stays whole when refused. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ReloaderTest {

    static final String CONFIG = """
            sip: { listen: [ "udp:127.0.0.1:5060" ] }
            nodes:
              - { id: asterisk-1, uri: "sip:127.0.0.1:5081", weight: 1 }
              - { id: asterisk-2, uri: "sip:127.0.0.1:5082", weight: 1 }
            services:
              - { name: conference, match: { ruri-user: "^conf-" }, app: Conference }
              - { name: default, app: Default, strategy: weighted }
            health: { interval: 5s }
            """;

    @TempDir
    Path dir;

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final List<RouterConfig> applied = new ArrayList<>();

    Reloader reloaderOn(String yaml) throws Exception {
        Path file = dir.resolve("router.yml");
        Files.writeString(file, yaml);
        return new Reloader(file, Map.of(), RouterConfig.load(file, Map.of()), applied::add, registry);
    }

    void rewrite(String yaml) throws Exception {
        Files.writeString(dir.resolve("router.yml"), yaml);
    }

    double counter(String name) {
        return registry.get(name).counter().count();
    }

    @Test
    void aNewNodeNewWeightsAndADroppedServiceAreAppliedAndListed() throws Exception {
        Reloader reloader = reloaderOn(CONFIG);
        rewrite("""
                sip: { listen: [ "udp:127.0.0.1:5060" ] }
                nodes:
                  - { id: asterisk-1, uri: "sip:127.0.0.1:5081", weight: 1 }
                  - { id: asterisk-2, uri: "sip:127.0.0.1:5082", weight: 3 }
                  - { id: asterisk-3, uri: "sip:127.0.0.1:5083" }
                services:
                  - { name: default, app: Default, strategy: weighted }
                health: { interval: 2s }
                """);

        ReloadResult result = reloader.reload();

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
        assertThat(result.changes()).containsExactlyInAnyOrder("health.interval: 5s -> 2s",
                "nodes.asterisk-2.weight: 1 -> 3", "nodes.asterisk-3: added (sip:127.0.0.1:5083, weight 1)",
                "services.conference: removed");
        assertThat(applied).hasSize(1);
        assertThat(reloader.running().nodes()).hasSize(3);
        assertThat(counter("roundhouse.config.reloads")).isEqualTo(1);
        assertThat(counter("roundhouse.config.reloads.failed")).isZero();
    }

    @Test
    void anInvalidFileIsRefusedWithItsReasonAndTheRunningConfigStays() throws Exception {
        Reloader reloader = reloaderOn(CONFIG);
        RouterConfig before = reloader.running();
        rewrite(CONFIG.replace("weight: 1 }\n  - { id: asterisk-2", "weight: 0 }\n  - { id: asterisk-2"));

        ReloadResult result = reloader.reload();

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.REFUSED);
        assertThat(result.reason()).isEqualTo("invalid configuration: nodes[0].weight: 0 (expected: 1..1000000)");
        assertThat(reloader.running()).isSameAs(before);
        assertThat(applied).isEmpty();
        assertThat(counter("roundhouse.config.reloads.failed")).isEqualTo(1);
    }

    @Test
    void aNewListenAddressNeedsARestartAndIsRefusedSaying() throws Exception {
        Reloader reloader = reloaderOn(CONFIG);
        rewrite(CONFIG.replace("udp:127.0.0.1:5060", "udp:127.0.0.1:5070").replace("weight: 1 }\n  - { id: asterisk-2",
                "weight: 5 }\n  - { id: asterisk-2"));

        ReloadResult result = reloader.reload();

        assertThat(result.outcome()).isEqualTo(ReloadResult.Outcome.REFUSED);
        assertThat(result.reason()).isEqualTo("needs a restart: sip.listen: [udp:127.0.0.1:5060] -> [udp:127.0.0.1:5070]");
        assertThat(applied).as("not even the weight: a reload applies all or nothing").isEmpty();
    }

    @Test
    void switchingBetweenRoundRobinAndLiveDispatchNeedsARestart() throws Exception {
        Reloader reloader = reloaderOn(CONFIG);
        rewrite(CONFIG.substring(0, CONFIG.indexOf("services:")));

        assertThat(reloader.reload().reason()).startsWith("needs a restart: services: removed");
    }

    @Test
    void redisChangesNeedARestartAndItsUrlIsNeverPrinted() throws Exception {
        Reloader reloader = reloaderOn(CONFIG + "redis: { url: \"redis://:old-secret@127.0.0.1:6379/0\" }\n");
        rewrite(CONFIG + "redis: { url: \"redis://:new-secret@127.0.0.1:6379/0\" }\n");

        ReloadResult result = reloader.reload();

        assertThat(result.reason()).isEqualTo("needs a restart: redis: changed");
    }

    @Test
    void theSameFileAgainChangesNothing() throws Exception {
        Reloader reloader = reloaderOn(CONFIG);

        assertThat(reloader.reload().outcome()).isEqualTo(ReloadResult.Outcome.UNCHANGED);
        assertThat(applied).isEmpty();
        assertThat(counter("roundhouse.config.reloads.failed")).isZero();
    }

    @Test
    void aChangedServiceRuleAndTheirOrderAreListed() throws Exception {
        Reloader reloader = reloaderOn(CONFIG);
        rewrite(CONFIG.replace("""
                  - { name: conference, match: { ruri-user: "^conf-" }, app: Conference }
                  - { name: default, app: Default, strategy: weighted }
                """, """
                  - { name: default, app: Default, strategy: round-robin }
                  - { name: conference, match: { ruri-user: "^conf-" }, app: Conference }
                """));

        assertThat(reloader.reload().changes()).containsExactly("services.default: changed",
                "services: order changed (the first rule that matches wins)");
    }
}
