package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A shed call on the real pipeline (docs/security.md, "Overload"): its 503 is built from the request's own lines, the
 * caller's ACK of it ends at the router, and its retransmissions are shed again even once the guard admits new calls
 * (else a caller told 503 would get a call started behind its back). The router is held at its limit of calls in
 * progress (one, a call that rings forever), so every new INVITE is shed until that call is cancelled.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ShedCallsStayShedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());
    private RequestBuilder admitted;

    @BeforeEach
    void start() {
        node.uas(UasBehavior.ringForever());
        RouterConfig config = RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  timers: { t1: 50ms, timer-c: 10s, failover-timeout: 5s }
                  overload: { max-calls-in-progress: 1 }
                nodes:
                  - { id: node-1, uri: "%s" }
                """.formatted(node.uri(Transport.UDP)));
        farm.start(config);
        admitted = invite("admitted");
        caller.send(admitted.build(), farm.routerAddress(), Transport.UDP);
        caller.await(r -> r.status() == 180, WAIT);
    }

    @Test
    void the503CopiesTheRequestsLinesWithReceivedRportAndAStatelessToTag() {
        RequestBuilder shed = invite("shed").to("\"Conf; room\" <sip:1000@127.0.0.1:" + farm.router().port() + ">");
        String request = shed.build();
        caller.send(request, farm.routerAddress(), Transport.UDP);

        Received response = finalResponse("shed");
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.header("Via")).isEqualTo(header(request, "Via").replace(";rport",
                ";rport=" + caller.port() + ";received=127.0.0.1"));
        assertThat(response.header("From")).isEqualTo(header(request, "From"));
        assertThat(response.header("Call-ID")).isEqualTo("shed");
        assertThat(response.header("CSeq")).isEqualTo("1 INVITE");
        assertThat(response.header("To")).matches("\"Conf; room\" <sip:1000@127\\.0\\.0\\.1:\\d+>;tag=rhsl\\.[0-9a-f]{16}");
        assertThat(response.headers("Retry-After")).containsExactly("5");
        assertThat(response.header("Warning")).endsWith("\"overloaded\"");
        assertThat(response.header("Content-Length")).isEqualTo("0");
        assertThat(farm.router().shedRequests()).isEqualTo(1);
        assertThat(farm.router().internalErrors()).isZero();
    }

    @Test
    void theAckOfA503IsAbsorbedAndCountedNeverForwarded() {
        RequestBuilder shed = invite("shed");
        caller.send(shed.build(), farm.routerAddress(), Transport.UDP);
        String toTag = finalResponse("shed").header("To").replaceAll(".*;tag=", "");

        caller.send(caller.request("ACK", farm.callUri()).callId("shed").branch(shed.branch())
                .to("<" + farm.callUri() + ">;tag=" + toTag).cseqMethod("ACK").build(), farm.routerAddress(),
                Transport.UDP);
        // One event loop, messages in order: once a later in-dialog request reached the node, the ACK was handled.
        caller.send(caller.request("INFO", node.uri(Transport.UDP)).callId("marker").to("<sip:bob@x>;tag=b")
                .route("<sip:127.0.0.1:" + farm.router().port() + ";lr>").build(), farm.routerAddress(),
                Transport.UDP);
        node.await(r -> r.isRequest() && r.callId().equals("marker"), WAIT);

        assertThat(farm.registry().counter("sip.acks.absorbed").count()).isEqualTo(1);
        assertThat(node.all(r -> r.isRequest() && r.method().equals("ACK"))).isEmpty();
        assertThat(farm.router().internalErrors()).isZero();
    }

    @Test
    void aRetransmissionOfAShedInviteIsShedAgainOnceNewCallsAreTakenAgain() {
        RequestBuilder shed = invite("shed");
        caller.send(shed.build(), farm.routerAddress(), Transport.UDP);
        assertThat(finalResponse("shed").status()).isEqualTo(503);
        cancelTheAdmittedCall();
        caller.clear();

        caller.send(shed.build(), farm.routerAddress(), Transport.UDP); // still in flight when the first 503 left
        Received again = finalResponse("shed");
        caller.send(invite("new").build(), farm.routerAddress(), Transport.UDP);
        node.await(r -> r.isRequest() && r.callId().equals("new"), WAIT);

        assertThat(again.status()).isEqualTo(503);
        assertThat(again.header("Warning")).endsWith("\"overloaded\"");
        assertThat(node.all(r -> r.isRequest() && r.callId().equals("shed"))).isEmpty();
        assertThat(farm.router().shedRequests()).isEqualTo(2);
        assertThat(farm.registry().counter("sip.requests.shed.retransmissions").count()).isEqualTo(1);
    }

    @Test
    void aReInviteInsideADialogIsNeverShed() {
        caller.send(caller.request("INVITE", node.uri(Transport.UDP)).callId("dialog").to("<sip:bob@x>;tag=b")
                .route("<sip:127.0.0.1:" + farm.router().port() + ";lr>").build(), farm.routerAddress(),
                Transport.UDP);

        assertThat(node.await(r -> r.isRequest() && r.callId().equals("dialog"), WAIT).method()).isEqualTo("INVITE");
        assertThat(farm.router().shedRequests()).isZero();
    }

    @Test
    void aRetransmissionOfTheAdmittedInviteIsAnsweredByItsTransactionNotShed() {
        caller.clear();
        caller.send(admitted.build(), farm.routerAddress(), Transport.UDP);

        // §17.2.1: the server transaction sends its last provisional response again.
        Received again = caller.await(r -> !r.isRequest() && r.callId().equals("admitted"), WAIT);
        assertThat(again.status()).isEqualTo(180);
        caller.send(invite("shed").build(), farm.routerAddress(), Transport.UDP);
        assertThat(finalResponse("shed").status()).isEqualTo(503);
        assertThat(farm.router().shedRequests()).isEqualTo(1);
    }

    private void cancelTheAdmittedCall() {
        caller.send(caller.request("CANCEL", farm.callUri()).callId("admitted").branch(admitted.branch())
                .cseqMethod("CANCEL").build(), farm.routerAddress(), Transport.UDP);
        caller.await(r -> r.status() == 487 && r.callId().equals("admitted"), WAIT);
    }

    private Received finalResponse(String callId) {
        return caller.await(r -> !r.isRequest() && r.status() >= 200 && r.callId().equals(callId)
                && r.cseqMethod().equals("INVITE"), WAIT);
    }

    private RequestBuilder invite(String callId) {
        return caller.request("INVITE", farm.callUri()).callId(callId);
    }

    private static String header(String message, String name) {
        int at = message.indexOf("\r\n" + name + ": ") + name.length() + 4;
        return message.substring(at, message.indexOf("\r\n", at));
    }
}
