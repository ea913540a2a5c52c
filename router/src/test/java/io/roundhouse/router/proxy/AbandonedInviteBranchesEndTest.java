package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An INVITE branch the proxy gives up on ends: after a CANCEL the node never answers, its client transaction is
 * destroyed 64*T1 later (RFC 3261 §9.1); a node that sends only 100 Trying and then nothing is failed over like a
 * silent one (100 is hop by hop and does not restart Timer C, §16.7 item 2).
 */
class AbandonedInviteBranchesEndTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(2);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.first();
    private final SipTestAgent second = farm.second().uas(UasBehavior.answer());

    @Test
    void aCancelledBranchWhoseNodeNeverAnswersAgainIsDestroyed() {
        // Rings, then ignores the CANCEL and everything else.
        node.uas(new UasBehavior(List.of(100, 180), false));
        farm.start(TestRouters.config(node)); // the node alone
        RequestBuilder invite = farm.invite();
        caller.awaitResponse(180, WAIT);
        caller.send(invite.cancel().build(), farm.routerAddress(), Transport.UDP);
        node.awaitRequest("CANCEL", WAIT);
        // The cancel guard answers the caller 64*T1 (3.2 s) later; the INVITE branch then ends 64*T1 after that.
        assertThat(caller.await(r -> r.status() == 487 && r.cseqMethod().equals("INVITE"), Duration.ofSeconds(6)))
                .isNotNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> farm.router().transactionCount() == 0);
    }

    @Test
    void aNodeThatSendsOnly100IsFailedOverAndCancelled() {
        node.uas(new UasBehavior(List.of(100), true));
        farm.startFailingOverAfter(Duration.ofMillis(500));
        farm.invite();
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.awaitRequest("INVITE", WAIT)).isNotNull();
        assertThat(node.awaitRequest("CANCEL", WAIT)).isNotNull();
    }
}
