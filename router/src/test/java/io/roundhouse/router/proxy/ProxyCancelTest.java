package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** CANCEL (§9.2, §16.10): answered 200, propagated to the ringing node, and the caller gets 487. */
class ProxyCancelTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node();

    private void cancelAfterRinging(Transport callerTransport) {
        node.uas(UasBehavior.ringForever());
        farm.start();
        RequestBuilder invite = caller.request("INVITE", farm.callUri()).transport(callerTransport);
        caller.send(invite.build(), farm.routerAddress(), callerTransport);
        caller.awaitResponse(180, WAIT);

        caller.send(invite.cancel().build(), farm.routerAddress(), callerTransport);

        assertThat(caller.await(r -> r.status() == 200 && r.cseqMethod().equals("CANCEL"), WAIT)).isNotNull();
        node.awaitRequest("CANCEL", WAIT);
        assertThat(caller.await(r -> r.status() == 487 && r.cseqMethod().equals("INVITE"), WAIT)).isNotNull();
        assertThat(node.awaitRequest("ACK", WAIT).cseqMethod()).isEqualTo("ACK");
    }

    @Test
    void cancelOfARingingCallOverUdpGives487() {
        cancelAfterRinging(Transport.UDP);
        await().atMost(Duration.ofSeconds(10)).until(() -> farm.router().transactionCount() == 0);
    }

    @Test
    void cancelOfARingingCallOverTcpGives487() {
        cancelAfterRinging(Transport.TCP);
    }

    @Test
    void cancelBeforeAnyProvisionalIsAnsweredAtOnceAndTheBranchIsCancelledWhenItRings() {
        node.uas(UasBehavior.silent());
        farm.start();
        RequestBuilder invite = caller.request("INVITE", farm.callUri()).fromTag("abc");
        caller.send(invite.build(), farm.routerAddress(), Transport.UDP);
        node.awaitRequest("INVITE", WAIT);
        caller.send(invite.cancel().build(), farm.routerAddress(), Transport.UDP);
        assertThat(caller.await(r -> r.status() == 487, WAIT).cseqMethod()).isEqualTo("INVITE");
        assertThat(caller.all(r -> r.status() == 200 && r.cseqMethod().equals("CANCEL"))).hasSize(1);
    }

    @Test
    void cancelWithoutAMatchingInviteGets481() {
        farm.start();
        caller.send(caller.request("CANCEL", farm.callUri()).build(), farm.routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(481);
    }
}
