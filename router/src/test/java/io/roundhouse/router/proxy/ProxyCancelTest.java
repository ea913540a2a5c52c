package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** CANCEL (§9.2, §16.10): answered 200, propagated to the ringing node, and the caller gets 487. */
class ProxyCancelTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SipTestAgent caller = SipTestAgent.start();
    private final SipTestAgent node = SipTestAgent.start();
    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        caller.close();
        node.close();
    }

    private void cancelAfterRinging(Transport callerTransport) {
        node.uas(UasBehavior.ringForever());
        router = Router.start(TestRouters.config(node));
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", router.port());
        RequestBuilder invite = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port())
                .transport(callerTransport);
        caller.send(invite.build(), to, callerTransport);
        caller.awaitResponse(180, WAIT);

        caller.send(caller.request("CANCEL", "sip:1000@127.0.0.1:" + router.port()).transport(callerTransport)
                .callId(invite.callId()).branch(invite.branch()).build().replace(
                        "From: <sip:alice@" + caller.hostPort() + ">;tag=", "From: <sip:alice@" + caller.hostPort()
                                + ">;tag=").replaceFirst(";tag=[0-9a-f]+", ";tag=" + fromTag(invite)), to,
                callerTransport);

        assertThat(caller.await(r -> r.status() == 200 && r.cseqMethod().equals("CANCEL"), WAIT)).isNotNull();
        node.awaitRequest("CANCEL", WAIT);
        assertThat(caller.await(r -> r.status() == 487 && r.cseqMethod().equals("INVITE"), WAIT)).isNotNull();
        assertThat(node.awaitRequest("ACK", WAIT).cseqMethod()).isEqualTo("ACK");
    }

    private static String fromTag(RequestBuilder b) {
        return b.build().lines().filter(l -> l.startsWith("From:")).findFirst().orElseThrow()
                .replaceAll(".*tag=", "").trim();
    }

    @Test
    void cancelOfARingingCallOverUdpGives487() {
        cancelAfterRinging(Transport.UDP);
        await().atMost(Duration.ofSeconds(10)).until(() -> router.transactionCount() == 0);
    }

    @Test
    void cancelOfARingingCallOverTcpGives487() {
        cancelAfterRinging(Transport.TCP);
    }

    @Test
    void cancelBeforeAnyProvisionalIsAnsweredAtOnceAndTheBranchIsCancelledWhenItRings() {
        node.uas(UasBehavior.silent());
        router = Router.start(TestRouters.config(node));
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", router.port());
        RequestBuilder invite = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).fromTag("abc");
        caller.send(invite.build(), to, Transport.UDP);
        node.awaitRequest("INVITE", WAIT);
        caller.send(caller.request("CANCEL", "sip:1000@127.0.0.1:" + router.port()).callId(invite.callId())
                .branch(invite.branch()).fromTag("abc").build(), to, Transport.UDP);
        assertThat(caller.await(r -> r.status() == 487, WAIT).cseqMethod()).isEqualTo("INVITE");
        assertThat(caller.all(r -> r.status() == 200 && r.cseqMethod().equals("CANCEL"))).hasSize(1);
    }

    @Test
    void cancelWithoutAMatchingInviteGets481() {
        router = Router.start(TestRouters.config(node));
        caller.send(caller.request("CANCEL", "sip:1000@127.0.0.1:" + router.port()).build(),
                new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(481);
    }
}
