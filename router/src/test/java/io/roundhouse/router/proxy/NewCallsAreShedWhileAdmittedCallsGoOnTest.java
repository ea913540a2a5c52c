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
 * Overload on the real pipeline (docs/security.md, "Overload"): with the router at its limit of calls in progress (one,
 * here), a new INVITE gets 503 with Retry-After at once and never reaches a node, while the admitted call's CANCEL and
 * in-dialog requests go on; once the call ends, new calls are taken again.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class NewCallsAreShedWhileAdmittedCallsGoOnTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @BeforeEach
    void start() {
        node.uas(UasBehavior.ringForever());
        farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  timers: { t1: 50ms, timer-c: 10s, failover-timeout: 5s }
                  overload: { max-calls-in-progress: 1 }
                nodes:
                  - { id: node-1, uri: "%s" }
                """.formatted(node.uri(Transport.UDP))));
    }

    private RequestBuilder invite(String callId) {
        return caller.request("INVITE", farm.callUri()).callId(callId);
    }

    @Test
    void aNewCallBeyondTheLimitGets503AtOnceWhileTheAdmittedOneIsCancelledNormally() {
        RequestBuilder admitted = invite("admitted");
        caller.send(admitted.build(), farm.routerAddress(), Transport.UDP);
        node.awaitRequest("INVITE", WAIT);
        caller.await(r -> r.status() == 180, WAIT);

        caller.send(invite("shed").build(), farm.routerAddress(), Transport.UDP);
        Received shed = caller.await(r -> r.status() >= 200 && r.callId().equals("shed"), WAIT);
        assertThat(shed.status()).isEqualTo(503);
        assertThat(shed.headers("Retry-After")).containsExactly("5");
        assertThat(shed.header("Warning")).contains("overloaded");
        assertThat(farm.router().shedRequests()).isEqualTo(1);

        // In-dialog requests are never shed: an INFO along the router's Route to the node goes through.
        caller.send(caller.request("INFO", node.uri(Transport.UDP)).to("<sip:bob@x>;tag=b")
                .route("<sip:127.0.0.1:" + farm.router().port() + ";lr>").build(), farm.routerAddress(), Transport.UDP);
        node.awaitRequest("INFO", WAIT);

        caller.send(caller.request("CANCEL", admitted.build().split(" ")[1]).callId("admitted")
                .branch(admitted.branch()).cseqMethod("CANCEL").build(), farm.routerAddress(), Transport.UDP);
        assertThat(caller.await(r -> r.status() == 487 && r.callId().equals("admitted"), WAIT).cseqMethod())
                .isEqualTo("INVITE");
        assertThat(node.all(r -> r.method().equals("INVITE") && r.callId().equals("shed"))).isEmpty();
    }

    @Test
    void onceTheAdmittedCallEndsNewCallsAreTakenAgain() {
        RequestBuilder admitted = invite("first");
        caller.send(admitted.build(), farm.routerAddress(), Transport.UDP);
        node.awaitRequest("INVITE", WAIT);
        caller.send(caller.request("CANCEL", admitted.build().split(" ")[1]).callId("first")
                .branch(admitted.branch()).cseqMethod("CANCEL").build(), farm.routerAddress(), Transport.UDP);
        caller.await(r -> r.status() == 487, WAIT);

        caller.send(invite("second").build(), farm.routerAddress(), Transport.UDP);

        assertThat(node.await(r -> r.method().equals("INVITE") && r.callId().equals("second"), WAIT)).isNotNull();
        assertThat(farm.router().shedRequests()).isZero();
    }
}
