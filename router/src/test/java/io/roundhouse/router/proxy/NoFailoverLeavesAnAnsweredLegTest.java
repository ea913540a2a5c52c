package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After failover, one call has one answered leg: the first 2xx reaches the caller (from the node failed over from, if it
 * answers first: the pending branch is then cancelled, §16.7 item 10), and any later 2xx of the call (a node answering
 * after the call went elsewhere, or despite a CANCEL) is acknowledged and hung up by the router, never forwarded
 * (docs/decisions.md: the deviation from §16.7 item 5).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NoFailoverLeavesAnAnsweredLegTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(2);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent first = farm.first().uas(UasBehavior.silent());
    // Rings, and neither answers nor acknowledges a CANCEL: the test makes it answer 200 by hand.
    private final SipTestAgent second = farm.second().uas(new UasBehavior(List.of(100, 180), false));
    private InetSocketAddress to;

    private void callFailedOverFromFirstToSecond(SipTestAgent secondNode) {
        farm.start(TestRouters.config(List.of(first, secondNode), Transport.UDP, 300));
        to = farm.routerAddress();
        farm.invite();
    }

    /** The node's leg ended by the router: ACK of its 2xx, then BYE, both with its tag; it answers the BYE. */
    private static void assertHungUpByTheRouter(SipTestAgent node, String tag) {
        Received ack = node.await(r -> r.method().equals("ACK") && r.header("To").contains(tag), WAIT);
        assertThat(ack.requestUri()).isEqualTo("sip:uas@" + node.hostPort());
        Received bye = node.await(r -> r.method().equals("BYE") && r.header("To").contains(tag), WAIT);
        assertThat(bye.header("CSeq")).isEqualTo((ack.message().cseq().number() + 1) + " BYE");
        assertThat(bye.headers("Via")).hasSize(1);
    }

    @Test
    void aLate2xxFromTheNodeFailedOverFromWinsAndThePendingBranchIsCancelled() {
        callFailedOverFromFirstToSecond(second);
        Received toFirst = first.awaitRequest("INVITE", WAIT);
        second.awaitRequest("INVITE", WAIT);
        caller.awaitResponse(180, WAIT);

        first.send(first.response(toFirst.text(), 200, "firsttag"), to, Transport.UDP);
        assertThat(caller.await(r -> r.status() == 200 && r.header("To").contains("firsttag"), WAIT)).isNotNull();
        assertThat(second.awaitRequest("CANCEL", WAIT)).isNotNull();
        assertThat(farm.router().endedLegs()).isZero();
    }

    @Test
    void a2xxThePendingNodeSendsDespiteTheCancelIsAcknowledgedAndHungUpNotForwarded() {
        callFailedOverFromFirstToSecond(second);
        Received toFirst = first.awaitRequest("INVITE", WAIT);
        Received toSecond = second.awaitRequest("INVITE", WAIT);
        first.send(first.response(toFirst.text(), 200, "firsttag"), to, Transport.UDP);
        second.awaitRequest("CANCEL", WAIT);

        second.uas(UasBehavior.answer()); // from now on it answers the router's BYE
        String late = second.response(toSecond.text(), 200, "secondtag");
        second.send(late, to, Transport.UDP);
        assertHungUpByTheRouter(second, "secondtag");
        second.send(late, to, Transport.UDP); // its retransmission: acknowledged again, still not forwarded
        second.await(r -> r.method().equals("ACK") && r.header("To").contains("secondtag"), WAIT);
        caller.assertNone(r -> r.status() == 200 && r.header("To").contains("secondtag"), Duration.ofMillis(500));
        assertThat(farm.router().endedLegs()).isEqualTo(1);
    }

    @Test
    void a2xxFromTheNodeFailedOverFromAfterTheCallerIsAnsweredElsewhereIsAcknowledgedAndHungUp() {
        try (SipTestAgent answering = SipTestAgent.start().uas(UasBehavior.answer())) {
            callFailedOverFromFirstToSecond(answering);
            Received toFirst = first.awaitRequest("INVITE", WAIT);
            caller.awaitResponse(200, WAIT);

            first.uas(UasBehavior.answer()); // it wakes up: answers the INVITE late, and the router's BYE
            first.send(first.response(toFirst.text(), 200, "firsttag"), to, Transport.UDP);
            assertHungUpByTheRouter(first, "firsttag");
            caller.assertNone(r -> r.status() == 200 && r.header("To").contains("firsttag"), Duration.ofMillis(500));
            assertThat(farm.router().endedLegs()).isEqualTo(1);
        }
    }
}
