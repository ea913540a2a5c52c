package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.sipp.SippMessageLog;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.router.testing.sipp.SippTransport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The router between real SIP peers that nobody here wrote (sipp 3.6.1), as issue 3 requires: bounded in calls and
 * time, loopback only, free ports. Every scenario used here is checked without the router in
 * {@link SippScenariosIT}, so a failure here is the router's.
 */
class SippThroughRouterIT {

    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void thousandCallsThroughTheRouterToTwoBackendsAllSucceedWithAckAndByeThroughTheRouter() throws Exception {
        int calls = 1_000;
        try (SippProcess uasA = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             SippProcess uasB = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             Router router = Router.start(RouterConfigs.forwardingTo(List.of(uasA.localPort(), uasB.localPort())));
             SippProcess uac = SippProcess.scenario("uac.xml").remote(routerAddress(router)).calls(calls).rate(200)
                     .callDuration(Duration.ofMillis(200)).maxDuration(BOUND).start()) {

            SippResult caller = uac.awaitExit();
            SippResult backendA = uasA.stop();
            SippResult backendB = uasB.stop();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(caller.exitCode()).as("%s", caller).isZero();
            // The UAS scenario makes ACK and BYE mandatory: a backend call succeeds only when both arrived.
            assertThat(backendA.successfulCalls() + backendB.successfulCalls())
                    .as("%s\n%s", backendA, backendB).isEqualTo(calls);
            assertThat(backendA.failedCalls() + backendB.failedCalls()).as("%s\n%s", backendA, backendB).isZero();
            // Round robin over two nodes.
            assertThat(backendA.successfulCalls()).isBetween(calls / 2L - 50, calls / 2L + 50);
            assertInDialogRequestsCameThroughTheRouter(uasA.messages(), router, backendA.successfulCalls());
            assertInDialogRequestsCameThroughTheRouter(uasB.messages(), router, backendB.successfulCalls());
        }
    }

    @Test
    void callerOverTcpReachesUdpBackends() throws Exception {
        int calls = 200;
        try (SippProcess uasA = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             SippProcess uasB = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             Router router = Router.start(RouterConfigs.forwardingTo(List.of(uasA.localPort(), uasB.localPort())));
             SippProcess uac = SippProcess.scenario("uac.xml").transport(SippTransport.TCP)
                     .remote(routerAddress(router)).calls(calls).rate(100).maxDuration(BOUND).start()) {

            SippResult caller = uac.awaitExit();
            SippResult backendA = uasA.stop();
            SippResult backendB = uasB.stop();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(backendA.successfulCalls() + backendB.successfulCalls())
                    .as("%s\n%s", backendA, backendB).isEqualTo(calls);
            // The backends were reached over UDP even though the caller used TCP (RFC 3261 18.1.1: per hop).
            assertThat(uasA.messages().receivedRequests("INVITE"))
                    .allSatisfy(invite -> assertThat(invite.headerLines("Via").get(0)).startsWith("SIP/2.0/UDP"));
            assertInDialogRequestsCameThroughTheRouter(uasA.messages(), router, backendA.successfulCalls());
            assertInDialogRequestsCameThroughTheRouter(uasB.messages(), router, backendB.successfulCalls());
        }
    }

    @Test
    void cancelBeforeAnswerGives487ToTheCaller() throws Exception {
        int calls = 100;
        try (SippProcess uasA = SippProcess.scenario("uas_ring_cancel.xml").maxDuration(BOUND).start();
             SippProcess uasB = SippProcess.scenario("uas_ring_cancel.xml").maxDuration(BOUND).start();
             Router router = Router.start(RouterConfigs.forwardingTo(List.of(uasA.localPort(), uasB.localPort())));
             SippProcess uac = SippProcess.scenario("uac_cancel.xml").remote(routerAddress(router)).calls(calls)
                     .rate(50).maxDuration(BOUND).start()) {

            SippResult caller = uac.awaitExit();
            SippResult backendA = uasA.stop();
            SippResult backendB = uasB.stop();

            // The caller's scenario requires 200 for the CANCEL and 487 for the INVITE.
            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            // Each backend got the CANCEL, answered 487 and got the router's ACK for it (RFC 3261 16.10, 17.1.1.3).
            assertThat(backendA.successfulCalls() + backendB.successfulCalls())
                    .as("%s\n%s", backendA, backendB).isEqualTo(calls);
        }
    }

    @Test
    void everyCallSucceedsOnTheHealthyNodeWhenOneAnswers503AndOneIsSilent() throws Exception {
        int calls = 60;
        try (SippProcess bouncing = SippProcess.scenario("uas_503.xml").maxDuration(BOUND).start();
             SilentBackend silent = new SilentBackend();
             SippProcess healthy = SippProcess.scenario("uas.xml").maxDuration(BOUND).start();
             Router router = Router.start(RouterConfigs.forwardingTo(
                     List.of(bouncing.localPort(), silent.port(), healthy.localPort()), "failover-timeout: 1s"));
             SippProcess uac = SippProcess.scenario("uac.xml").remote(routerAddress(router)).calls(calls).rate(20)
                     .maxDuration(BOUND).start()) {

            SippResult caller = uac.awaitExit();
            SippResult bounced = bouncing.stop();
            SippResult answered = healthy.stop();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(answered.successfulCalls()).as("%s", answered).isEqualTo(calls);
            // The router really tried the other two: the 503s were ACKed (the 503 scenario requires it) and the
            // silent node received INVITEs.
            assertThat(bounced.successfulCalls()).as("%s", bounced).isPositive();
            assertThat(bounced.failedCalls()).as("%s", bounced).isZero();
            assertThat(silent.invitesReceived()).isPositive();
        }
    }

    @Test
    void maxForwardsZeroGives483AndIsNotForwarded() throws Exception {
        int calls = 20;
        try (SippProcess uas = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             Router router = Router.start(RouterConfigs.forwardingTo(List.of(uas.localPort())));
             SippProcess uac = SippProcess.scenario("uac_max_forwards_zero.xml").remote(routerAddress(router))
                     .calls(calls).rate(20).maxDuration(BOUND).start()) {

            SippResult caller = uac.awaitExit();
            uas.stop();

            // The caller's scenario requires the 483 (RFC 3261 16.3 point 2).
            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(uas.messages().receivedRequests("INVITE")).isEmpty();
        }
    }

    private static InetSocketAddress routerAddress(Router router) {
        return new InetSocketAddress("127.0.0.1", router.port());
    }

    /**
     * Every ACK and BYE the backend received carries the router's Via on top (the router forwarded it), and each
     * answered call got both.
     */
    private static void assertInDialogRequestsCameThroughTheRouter(SippMessageLog log, Router router,
                                                                   long answeredCalls) {
        String routerVia = "127.0.0.1:" + router.port();
        for (String method : List.of("ACK", "BYE")) {
            List<SippMessageLog.Entry> received = log.receivedRequests(method);
            assertThat(received).as("%s received by the backend", method).isNotEmpty();
            assertThat(received).allSatisfy(request -> assertThat(request.headerLines("Via").get(0))
                    .as("top Via of %s", request.startLine()).contains(routerVia));
            Set<String> callIds = received.stream().map(r -> r.headerLines("Call-ID").get(0))
                    .collect(Collectors.toSet());
            assertThat(callIds).as("calls whose %s reached the backend", method).hasSize((int) answeredCalls);
        }
    }
}
