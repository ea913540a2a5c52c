package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.StaticDispatchSetup;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes that fail while answering OPTIONS, with sipp on both sides, in static round robin (no services:) with health
 * probing as the router's main runs it.
 */
@Timeout(90)
class NoCallStrandedIT {

    static final Duration BOUND = Duration.ofSeconds(60);

    static RouterConfig config(SippProcess first, SippProcess second) {
        return RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  timers: { failover-timeout: 300ms }
                nodes:
                  - { id: a, uri: "sip:127.0.0.1:%d" }
                  - { id: b, uri: "sip:127.0.0.1:%d" }
                health: { interval: 300ms, timeout: 200ms, down-after: 2 }
                """.formatted(first.localPort(), second.localPort()));
    }

    static StaticDispatchSetup roundRobin(RouterConfig cfg) {
        return StaticDispatchSetup.start(cfg.nodes(), cfg.health());
    }

    static InetSocketAddress address(Router router) {
        return new InetSocketAddress("127.0.0.1", router.port());
    }

    @Test
    void aNodeThatAnswersOptionsButSwallowsInvitesCostsThreeCallsTheFailoverTimeoutThenNone() throws Exception {
        int calls = 20;
        try (SippProcess swallowing = SippProcess.scenario("uas_swallow.xml").maxDuration(BOUND).traceMessages()
                .extraArgs("-aa").start();
             SippProcess good = SippProcess.scenario("uas.xml").maxDuration(BOUND).extraArgs("-aa").start()) {
            RouterConfig cfg = config(swallowing, good);
            try (StaticDispatchSetup dispatch = roundRobin(cfg);
                 Router router = Router.start(cfg, dispatch.dispatcher(), new SimpleMeterRegistry())) {
                dispatch.probeWith(router::sendOptions);
                // One call at a time (-l 1): each call's fate follows from the ones before it.
                try (SippProcess caller = SippProcess.scenario("uac.xml").remote(address(router)).calls(calls)
                        .rate(10).callDuration(Duration.ofMillis(50)).maxDuration(BOUND).extraArgs("-l", "1")
                        .start()) {
                    SippResult result = caller.awaitExit();
                    assertThat(result.successfulCalls()).as("%s", result).isEqualTo(calls);
                    assertThat(result.failedCalls()).as("%s", result).isZero();
                }
                List<String> swallowed = swallowing.messages().receivedRequests("INVITE").stream()
                        .map(e -> e.headerLines("Call-ID").get(0)).distinct().toList();
                assertThat(swallowed).as("held down after three INVITEs in a row without answer").hasSize(3);
                assertThat(dispatch.prober().state("a")).as("it answered OPTIONS all along")
                        .isEqualTo(HealthState.UP);
            }
            // Not stop(): OPTIONS answered by -aa leave calls open in sipp that a graceful quit would wait for.
        }
    }

    @Test
    void aCallRingingOnANodeThatDiesIsFailedOverAsSoonAsProbingFindsItDown() throws Exception {
        try (SippProcess ringing = SippProcess.scenario("uas_ring_cancel.xml").maxDuration(BOUND).traceMessages()
                .extraArgs("-aa").start();
             SippProcess good = SippProcess.scenario("uas.xml").maxDuration(BOUND).extraArgs("-aa").start()) {
            RouterConfig cfg = config(ringing, good);
            try (StaticDispatchSetup dispatch = roundRobin(cfg);
                 Router router = Router.start(cfg, dispatch.dispatcher(), new SimpleMeterRegistry())) {
                dispatch.probeWith(router::sendOptions);
                await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.prober().state("a") == HealthState.UP);
                long start = System.nanoTime();
                // Round robin sends the first call to the ringing node; it dies while the call rings there.
                try (SippProcess caller = SippProcess.scenario("uac.xml").remote(address(router)).calls(1)
                        .callDuration(Duration.ofMillis(50)).maxDuration(BOUND).start()) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> !ringing.messages().receivedRequests("INVITE")
                            .isEmpty());
                    ringing.close();
                    SippResult result = caller.awaitExit();
                    assertThat(result.successfulCalls()).as("%s", result).isEqualTo(1);
                    assertThat(result.failedCalls()).as("%s", result).isZero();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not Timer C (180 s)")
                        .isLessThan(Duration.ofSeconds(20));
                assertThat(dispatch.prober().state("a")).isEqualTo(HealthState.DOWN);
            }
        }
    }
}
