package io.roundhouse.router.reload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live reload under call load, with sipp on both sides: a reload that adds a node, changes weights and drops a
 * service loses no call, and the new node takes calls within a second.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ReloadUnderSippLoadIT {

    static final Duration BOUND = Duration.ofSeconds(60);
    static final int CALLS = 300;
    static final int RATE = 50;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @TempDir
    Path dir;

    static String config(String nodes, String services) {
        return """
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                nodes:
                %s
                services:
                %s
                health: { enabled: false }
                dispatch: { refresh-interval: 200ms }
                """.formatted(nodes, services);
    }

    static String node(String id, SippProcess sipp, int weight) {
        return "  - { id: %s, uri: \"sip:127.0.0.1:%d\", weight: %d }".formatted(id, sipp.localPort(), weight);
    }

    static double decisionsFor(SimpleMeterRegistry registry, String node) {
        return registry.find("roundhouse.dispatch.decisions").tag("node", node).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void aReloadThatAddsANodeChangesWeightsAndDropsAServiceLosesNoCallAndTheNewNodeTakesCallsAtOnce()
            throws Exception {
        try (SippProcess one = SippProcess.scenario("uas.xml").calls(10_000).maxDuration(BOUND).start();
             SippProcess two = SippProcess.scenario("uas.xml").calls(10_000).maxDuration(BOUND).start();
             SippProcess three = SippProcess.scenario("uas.xml").calls(10_000).maxDuration(BOUND).traceMessages()
                     .start()) {
            String services = """
                      - { name: conference, match: { ruri-user: "^conf-" }, app: Conference }
                      - { name: default, app: Default, strategy: weighted }""";
            Path file = dir.resolve("router.yml");
            Files.writeString(file, config(node("asterisk-1", one, 1) + "\n" + node("asterisk-2", two, 1), services));
            RouterConfig cfg = RouterConfig.load(file, Map.of());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (DispatchSetup dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
                 Router router = Router.start(cfg, dispatch.dispatcher(), registry)) {
                Reloader reloader = new Reloader(file, Map.of(), cfg, dispatch::reconfigure, registry);
                try (SippProcess caller = SippProcess.scenario("uac.xml")
                        .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(CALLS).rate(RATE)
                        .maxDuration(BOUND).extraArgs("-s", "5555").start()) {
                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> decisionsFor(registry, "asterisk-1") + decisionsFor(registry, "asterisk-2")
                                    >= CALLS / 5);
                    Files.writeString(file, config(node("asterisk-1", one, 1) + "\n" + node("asterisk-2", two, 3)
                            + "\n" + node("asterisk-3", three, 1), """
                              - { name: default, app: Default, strategy: weighted }"""));

                    ReloadResult result = reloader.reload();

                    assertThat(result.outcome()).as("%s", result).isEqualTo(ReloadResult.Outcome.APPLIED);
                    assertThat(result.changes()).containsExactlyInAnyOrder("nodes.asterisk-2.weight: 1 -> 3",
                            "nodes.asterisk-3: added (sip:127.0.0.1:" + three.localPort() + ", weight 1)",
                            "services.conference: removed");
                    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                            .until(() -> decisionsFor(registry, "asterisk-3") > 0);
                    SippResult calls = caller.awaitExit();
                    assertThat(calls.successfulCalls()).as("%s", calls).isEqualTo(CALLS);
                    assertThat(calls.failedCalls()).as("%s", calls).isZero();
                }
                assertThat(three.messages().receivedRequests("INVITE")).isNotEmpty();
                assertThat(registry.get("roundhouse.config.reloads").counter().count()).isEqualTo(1);
                assertThat(registry.get("roundhouse.config.reloads.failed").counter().count()).isZero();
            }
            one.stop();
            two.stop();
            three.stop();
        }
    }
}
