package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A Via port or rport outside 1-65535 (RFC 3581 §3) is a peer's defect, not the router's: a request gets 400, a
 * response is dropped and counted, and neither is an internal error (nor a leaked buffer).
 */
class OutOfRangeViaPortsAreRejectedTest extends CallerNodeRouterTest {

    private InetSocketAddress routerAddress() {
        return new InetSocketAddress("127.0.0.1", router.port());
    }

    @Test
    void aRequestWithAnRportOf70000Gets400NamingIt() {
        router = Router.start(TestRouters.config(node));
        String invite = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build()
                .replace(";rport\r\n", ";rport=70000\r\n");
        caller.send(invite, routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Warning")).contains("rport 70000 out of range");
        node.assertNone(r -> true, Duration.ofMillis(200));
        assertThat(router.internalErrors()).isZero();
    }

    @Test
    void aResponseWhoseNextViaHasAnOutOfRangeRportIsDroppedNotAnInternalError() {
        router = Router.start(TestRouters.config(node));
        String response = "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + router.port() + ";branch=" + Branches.PREFIX + "stray.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKcaller;rport=70000\r\n"
                + "From: <sip:a@127.0.0.1>;tag=1\r\n"
                + "To: <sip:b@127.0.0.1>;tag=2\r\n"
                + "Call-ID: out-of-range-rport\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n";
        long dropped = router.droppedMessages();
        node.send(response, routerAddress(), Transport.UDP);
        await().atMost(WAIT).until(() -> router.droppedMessages() > dropped);
        assertThat(router.internalErrors()).isZero();
    }
}
