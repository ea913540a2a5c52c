package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.config.SipTimers;
import io.roundhouse.router.testing.Dialog;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Transaction behaviour seen from the wire: retransmissions absorbed, 2xx retransmissions passed, Timer C, TCP. */
class ProxyTransactionTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node();

    @Test
    void aRetransmittedInviteIsAbsorbedAndAnsweredWithTheLastProvisional() {
        node.uas(UasBehavior.ringForever());
        farm.start();
        String invite = caller.request("INVITE", farm.callUri()).build();
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        caller.awaitResponse(180, WAIT);
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        caller.awaitResponse(180, WAIT); // the last provisional, resent by the server transaction (§17.2.1)
        node.assertNone(r -> r.method().equals("INVITE") && node.all(x -> x.method().equals("INVITE")).size() > 1,
                Duration.ofMillis(300));
        assertThat(node.all(r -> r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void retransmitted2xxResponsesReachTheCallerAndTheAckGoesEndToEnd() {
        node.uas(new UasBehavior(List.of(100, 180, 200, 200), true));
        farm.start();
        RequestBuilder invite = caller.request("INVITE", farm.callUri()).fromTag("r2");
        caller.send(invite.build(), farm.routerAddress(), Transport.UDP);
        Received ok = caller.awaitResponse(200, WAIT);
        caller.awaitResponse(200, WAIT); // §16.7 item 5: forwarded statelessly by its Via
        new Dialog(caller, ok, "r2", Transport.UDP).send("ACK", 1);
        node.awaitRequest("ACK", WAIT);
    }

    @Test
    void a2xxRetransmissionToATcpCallerReusesTheCallersConnection() {
        node.uas(new UasBehavior(List.of(100, 180, 200, 200), true));
        farm.start();
        caller.send(caller.request("INVITE", farm.callUri()).transport(Transport.TCP).build(), farm.routerAddress(),
                Transport.TCP);
        Received first = caller.awaitResponse(200, WAIT);
        Received second = caller.awaitResponse(200, WAIT); // stateless (§16.7 item 5), by the Via's sent-by alias
        assertThat(first.source()).isEqualTo(farm.routerAddress());
        assertThat(second.source()).isEqualTo(farm.routerAddress());
        assertThat(second.transport()).isEqualTo(Transport.TCP);
    }

    @Test
    void timerCCancelsABranchThatRingsTooLongAndTheCallerGets487() {
        node.uas(UasBehavior.ringForever());
        RouterConfig base = TestRouters.config(node);
        SipTimers t = base.timers();
        farm.start(base.withTimers(new SipTimers(t.t1(), t.t2(), t.t4(), t.timerB(), t.timerF(),
                Duration.ofMillis(300), t.timerD(), t.failoverTimeout())));
        farm.invite();
        caller.awaitResponse(180, WAIT);
        node.awaitRequest("CANCEL", WAIT);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(487);
    }

    @Test
    void aCallToATcpNodeCompletesAndTheTransactionsEnd() {
        node.uas(UasBehavior.answer());
        farm.start(TestRouters.config(List.of(node), Transport.TCP, 1000));
        RequestBuilder invite = caller.request("INVITE", farm.callUri()).fromTag("t1");
        caller.send(invite.build(), farm.routerAddress(), Transport.UDP);
        Received atNode = node.awaitRequest("INVITE", WAIT);
        assertThat(atNode.transport()).isEqualTo(Transport.TCP);
        int port = farm.router().port();
        assertThat(TestRouters.unsigned(atNode.headers("Record-Route"))).containsExactly("<sip:127.0.0.1:" + port
                + ";transport=tcp;lr>", "<sip:127.0.0.1:" + port + ";lr>");
        Received ok = caller.awaitResponse(200, WAIT);
        Dialog dialog = new Dialog(caller, ok, "t1", Transport.UDP);
        dialog.send("ACK", 1);
        assertThat(node.awaitRequest("ACK", WAIT).transport()).isEqualTo(Transport.TCP);
        dialog.send("BYE", 2);
        node.awaitRequest("BYE", WAIT);
        caller.await(r -> r.status() == 200 && r.cseqMethod().equals("BYE"), WAIT);
        await().atMost(Duration.ofSeconds(10)).until(() -> farm.router().transactionCount() == 0);
    }

    @Test
    void aNonInviteRequestFailsOverFromASilentNodeToo() {
        try (SipTestAgent silent = SipTestAgent.start().uas(UasBehavior.silent())) {
            node.uas(UasBehavior.answer());
            farm.start(TestRouters.config(List.of(silent, node), Transport.UDP, 300));
            caller.send(caller.request("MESSAGE", farm.callUri()).body("hi").build(), farm.routerAddress(),
                    Transport.UDP);
            assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
            assertThat(silent.all(r -> r.method().equals("MESSAGE"))).isNotEmpty();
            assertThat(node.awaitRequest("MESSAGE", WAIT).body()).isEqualTo("hi");
        }
    }
}
