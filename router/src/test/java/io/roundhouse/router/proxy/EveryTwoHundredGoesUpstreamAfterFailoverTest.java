package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.Received;
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
 * After failover, a late 2xx from the abandoned node is forwarded and the still pending branch is cancelled (RFC 3261
 * §16.7 item 10); a 2xx the pending node sends anyway still reaches the caller (§16.7 item 5).
 */
class EveryTwoHundredGoesUpstreamAfterFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SipTestAgent caller = SipTestAgent.start();
    private final SipTestAgent first = SipTestAgent.start().uas(UasBehavior.silent());
    // Rings, and neither answers nor acknowledges a CANCEL: the test makes it answer 200 by hand.
    private final SipTestAgent second = SipTestAgent.start().uas(new UasBehavior(List.of(100, 180), false));
    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        caller.close();
        first.close();
        second.close();
    }

    @Test
    void aLate2xxFromTheAbandonedNodeIsForwardedAndThePendingBranchCancelledAndItsOwn2xxForwardedToo() {
        router = Router.start(TestRouters.config(List.of(first, second), Transport.UDP, 300));
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", router.port());
        caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(), to, Transport.UDP);
        Received toFirst = first.awaitRequest("INVITE", WAIT);
        Received toSecond = second.awaitRequest("INVITE", WAIT);
        caller.awaitResponse(180, WAIT);

        first.send(first.response(toFirst.text(), 200, "firsttag"), to, Transport.UDP);
        assertThat(caller.await(r -> r.status() == 200 && r.header("To").contains("firsttag"), WAIT)).isNotNull();
        assertThat(second.awaitRequest("CANCEL", WAIT)).isNotNull();

        second.send(second.response(toSecond.text(), 200, "secondtag"), to, Transport.UDP);
        assertThat(caller.await(r -> r.status() == 200 && r.header("To").contains("secondtag"), WAIT)).isNotNull();
    }
}
