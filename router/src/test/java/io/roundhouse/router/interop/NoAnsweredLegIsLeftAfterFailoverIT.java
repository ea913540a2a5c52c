package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With real sipp nodes: one answers every INVITE 800 ms late, after the router has failed the call over (300 ms) to a
 * node that answers at once. Every caller completes its call on the prompt node, and every late 200 is acknowledged
 * and hung up by the router (the late node's scenario requires the ACK and the BYE): no answered leg is left behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoAnsweredLegIsLeftAfterFailoverIT {

    private static final Duration BOUND = Duration.ofSeconds(40);

    @Test
    void everyLate200IsAcknowledgedAndHungUpByTheRouterWhileCallersCompleteElsewhere() {
        int calls = 20;
        try (SippProcess late = SippProcess.scenario("uas_late_answer.xml").maxDuration(BOUND).traceMessages().start();
             SippProcess prompt = SippProcess.scenario("uas.xml").maxDuration(BOUND).start();
             Router router = Router.start(RouterConfigs.forwardingTo(List.of(late.localPort(), prompt.localPort()),
                     "failover-timeout: 300ms"));
             SippProcess uac = SippProcess.scenario("uac.xml")
                     .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(calls).rate(10)
                     .maxDuration(BOUND).start()) {

            SippResult caller = uac.awaitExit();
            // Round robin sends every other call to the late node first, until passive health holds it after three
            // timeouts in a row: how many it gets is not this test's business, that each of them is ended is.
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                long invites = late.messages().receivedRequests("INVITE").size();
                return invites > 0 && late.messages().receivedRequests("BYE").size() == invites;
            });
            SippResult lateNode = late.stop();
            SippResult promptNode = prompt.stop();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(promptNode.successfulCalls()).as("%s", promptNode).isEqualTo(calls);
            assertThat(lateNode.successfulCalls()).as("every late leg ended by the router: %s", lateNode)
                    .isEqualTo(router.endedLegs()).isPositive();
            assertThat(lateNode.failedCalls()).as("%s", lateNode).isZero();
        }
    }
}
