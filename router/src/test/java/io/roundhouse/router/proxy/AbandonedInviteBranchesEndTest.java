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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An INVITE branch the proxy gives up on ends: after a CANCEL the node never answers, its client transaction is
 * destroyed 64*T1 later (RFC 3261 §9.1); a node that sends only 100 Trying and then nothing is failed over like a
 * silent one (100 is hop by hop and does not restart Timer C, §16.7 item 2).
 */
class AbandonedInviteBranchesEndTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SipTestAgent caller = SipTestAgent.start();
    private final SipTestAgent node = SipTestAgent.start();
    private final SipTestAgent second = SipTestAgent.start().uas(UasBehavior.answer());
    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        caller.close();
        node.close();
        second.close();
    }

    private static String fromTag(RequestBuilder b) {
        return b.build().lines().filter(l -> l.startsWith("From:")).findFirst().orElseThrow()
                .replaceAll(".*tag=", "").trim();
    }

    @Test
    void aCancelledBranchWhoseNodeNeverAnswersAgainIsDestroyed() {
        // Rings, then ignores the CANCEL and everything else.
        node.uas(new UasBehavior(List.of(100, 180), false));
        router = Router.start(TestRouters.config(node));
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", router.port());
        RequestBuilder invite = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port());
        caller.send(invite.build(), to, Transport.UDP);
        caller.awaitResponse(180, WAIT);
        caller.send(caller.request("CANCEL", "sip:1000@127.0.0.1:" + router.port()).callId(invite.callId())
                .branch(invite.branch()).build().replaceFirst(";tag=[0-9a-f]+", ";tag=" + fromTag(invite)), to,
                Transport.UDP);
        node.awaitRequest("CANCEL", WAIT);
        // The cancel guard answers the caller 64*T1 (3.2 s) later; the INVITE branch then ends 64*T1 after that.
        assertThat(caller.await(r -> r.status() == 487 && r.cseqMethod().equals("INVITE"), Duration.ofSeconds(6)))
                .isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> router.transactionCount() == 0);
    }

    @Test
    void aNodeThatSendsOnly100IsFailedOverAndCancelled() {
        node.uas(new UasBehavior(List.of(100), true));
        router = Router.start(TestRouters.config(List.of(node, second), Transport.UDP, 500));
        caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(),
                new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.awaitRequest("INVITE", WAIT)).isNotNull();
        assertThat(node.awaitRequest("CANCEL", WAIT)).isNotNull();
    }
}
