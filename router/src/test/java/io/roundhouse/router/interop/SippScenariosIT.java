package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.testing.sipp.SippMessageLog;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.router.testing.sipp.SippTransport;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
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

    @Test
    void swallowingCalleeAnswersOptionsButNeverAnInvite() throws Exception {
        try (SippProcess uas = SippProcess.scenario("uas_swallow.xml").maxDuration(BOUND).traceMessages()
                .extraArgs("-aa").start();
             DatagramSocket socket = new DatagramSocket(0,
                     InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(1_000);
            String options = request("OPTIONS", "opt-1", socket.getLocalPort(), uas.localPort());
            DatagramPacket reply = null;
            for (int attempt = 0; attempt < 5 && reply == null; attempt++) { // sipp may not be listening yet
                socket.send(new DatagramPacket(options.getBytes(StandardCharsets.US_ASCII),
                        options.length(), uas.localAddress()));
                reply = receive(socket);
            }
            assertThat(reply).as("OPTIONS answered").isNotNull();
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII))
                    .startsWith("SIP/2.0 200");

            String invite = request("INVITE", "inv-1", socket.getLocalPort(), uas.localPort());
            socket.send(new DatagramPacket(invite.getBytes(StandardCharsets.US_ASCII),
                    invite.length(), uas.localAddress()));
            assertThat(receive(socket)).as("not even 100 Trying").isNull();
            assertThat(uas.messages().receivedRequests("INVITE")).hasSize(1);
        }
    }

    private static String request(String method, String callId, int fromPort, int toPort) {
        return method + " sip:service@127.0.0.1:" + toPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + fromPort + ";branch=z9hG4bK" + callId + "\r\n"
                + "From: <sip:test@127.0.0.1:" + fromPort + ">;tag=1\r\n"
                + "To: <sip:service@127.0.0.1:" + toPort + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\nMax-Forwards: 70\r\n"
                + "Contact: <sip:test@127.0.0.1:" + fromPort + ">\r\nContent-Length: 0\r\n\r\n";
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[4096], 4096);
        try {
            socket.receive(p);
            return p;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
