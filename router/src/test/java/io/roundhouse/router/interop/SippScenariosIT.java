package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.testing.sipp.SippMessageLog;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.router.testing.sipp.SippTransport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The scenarios the router is tested with, checked sipp to sipp without the router: when a router test fails, the
 * scenario itself is known to be right. (They were also checked through Kamailio 5.6.3 with bench/kamailio.)
 */
class SippScenariosIT {

    private static final int CALLS = 20;
    private static final Duration BOUND = Duration.ofSeconds(30);

    @Test
    void recordRoutingCallerCompletesCallsWithTheAnsweringCallee() {
        try (SippProcess uas = SippProcess.scenario("uas.xml").calls(CALLS).maxDuration(BOUND).traceMessages()
                .start();
             SippProcess uac = SippProcess.scenario("uac.xml").remote(uas.localAddress()).calls(CALLS).rate(50)
                     .maxDuration(BOUND).start()) {
            SippResult caller = uac.awaitExit();
            SippResult callee = uas.awaitExit();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(CALLS);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(caller.exitCode()).as("%s", caller).isZero();
            assertThat(callee.successfulCalls()).as("%s", callee).isEqualTo(CALLS);
            SippMessageLog log = uas.messages();
            assertThat(log.receivedRequests("ACK")).hasSize(CALLS);
            assertThat(log.receivedRequests("BYE")).hasSize(CALLS);
        }
    }

    @Test
    void callerOverTcpCompletesCalls() {
        try (SippProcess uas = SippProcess.scenario("uas.xml").transport(SippTransport.TCP).calls(CALLS)
                .maxDuration(BOUND).start();
             SippProcess uac = SippProcess.scenario("uac.xml").transport(SippTransport.TCP)
                     .remote(uas.localAddress()).calls(CALLS).rate(50).maxDuration(BOUND).start()) {
            SippResult caller = uac.awaitExit();
            SippResult callee = uas.stop();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(CALLS);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            // The caller closes its connection when it exits; only the callee's last call may still be in its
            // timewait then, and sipp counts that one as "TcpClosed".
            assertThat(callee.successfulCalls()).as("%s", callee).isBetween((long) CALLS - 1, (long) CALLS);
            assertThat(callee.failureReasons().keySet()).as("%s", callee).isSubsetOf("FailedTcpClosed");
        }
    }

    @Test
    void calleeAnswering503IsAcknowledged() {
        try (SippProcess uas = SippProcess.scenario("uas_503.xml").calls(CALLS).maxDuration(BOUND).start();
             SippProcess uac = SippProcess.scenario("uac_503.xml").remote(uas.localAddress()).calls(CALLS).rate(50)
                     .maxDuration(BOUND).start()) {
            SippResult caller = uac.awaitExit();
            SippResult callee = uas.awaitExit();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(CALLS);
            assertThat(callee.successfulCalls()).as("%s", callee).isEqualTo(CALLS);
            assertThat(callee.failedCalls()).as("%s", callee).isZero();
        }
    }

    @Test
    void cancelBeforeAnswerGets487() {
        try (SippProcess uas = SippProcess.scenario("uas_ring_cancel.xml").calls(CALLS).maxDuration(BOUND).start();
             SippProcess uac = SippProcess.scenario("uac_cancel.xml").remote(uas.localAddress()).calls(CALLS)
                     .rate(50).maxDuration(BOUND).start()) {
            SippResult caller = uac.awaitExit();
            SippResult callee = uas.awaitExit();

            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(CALLS);
            assertThat(caller.failedCalls()).as("%s", caller).isZero();
            assertThat(callee.successfulCalls()).as("%s", callee).isEqualTo(CALLS);
        }
    }
}
