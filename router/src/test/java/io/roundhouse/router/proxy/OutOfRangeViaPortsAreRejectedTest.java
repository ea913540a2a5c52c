package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Via port or rport outside 1-65535 (RFC 3581 §3) is a peer's defect, not the router's: a request gets 400, a
 * response is dropped and counted, and neither is an internal error (nor a leaked buffer).
 */
class OutOfRangeViaPortsAreRejectedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @Test
    void aRequestWithAnRportOf70000Gets400NamingIt() {
        farm.start();
        String invite = caller.request("INVITE", farm.callUri()).build()
                .replace(";rport\r\n", ";rport=70000\r\n");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Warning")).contains("rport 70000 out of range");
        node.assertNone(r -> true, Duration.ofMillis(200));
        assertThat(farm.router().internalErrors()).isZero();
    }

    @Test
    void aResponseWhoseNextViaHasAnOutOfRangeRportIsDroppedNotAnInternalError() {
        farm.start();
        String response = "SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + farm.router().port() + ";branch=" + Branches.PREFIX + "stray.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKcaller;rport=70000\r\n"
                + "From: <sip:a@127.0.0.1>;tag=1\r\n"
                + "To: <sip:b@127.0.0.1>;tag=2\r\n"
                + "Call-ID: out-of-range-rport\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n";
        long dropped = farm.router().droppedMessages();
        node.send(response, farm.routerAddress(), Transport.UDP);
        await().atMost(WAIT).until(() -> farm.router().droppedMessages() > dropped);
        assertThat(farm.router().internalErrors()).isZero();
    }
}
