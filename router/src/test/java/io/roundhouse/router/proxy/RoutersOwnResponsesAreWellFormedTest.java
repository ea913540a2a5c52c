package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whatever a refused request held, the router's own answer to it is a well-formed SIP response (RFC 4475 §3.1.2). */
@Timeout(30)
class RoutersOwnResponsesAreWellFormedTest extends CallerNodeRouterTest {

    private InetSocketAddress routerAddress() {
        return new InetSocketAddress("127.0.0.1", router.port());
    }

    private String ruri() {
        return "sip:1000@127.0.0.1:" + router.port();
    }

    @Test
    void theToTagOfARefusalOfAnUnterminatedQuoteIsOutsideAnyQuote() {
        router = Router.start(TestRouters.config(node));
        caller.send(caller.request("INVITE", ruri()).to("\"Mr. J. User <sip:j.user@example.com>").build(),
                routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        NameAddr to = bad.message().to();
        assertThat(to.uri()).isEqualTo("sip:j.user@example.com");
        assertThat(to.tag()).isNotEmpty();
    }

    @Test
    void controlCharactersOfARefusedRequestAreNotEchoed() {
        router = Router.start(TestRouters.config(node));
        String invite = caller.request("INVITE", ruri()).callId("bell\u0007call").build()
                .replace("From: <sip:alice@", "From: \"nul\u0000\" <sip:alice@");
        caller.send(invite, routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text().chars().filter(c -> c < ' ' && c != '\r' && c != '\n' && c != '\t')).isEmpty();
        assertThat(bad.header("Call-ID")).isEqualTo("bell?call");
        assertThat(bad.message().defect()).isNull();
    }

    @Test
    void aNodesResponseWithNoViaLeftOnceTheRoutersIsRemovedIsNotForwarded() {
        node.uas(UasBehavior.silent());
        router = Router.start(TestRouters.config(node));
        caller.send(caller.request("OPTIONS", ruri()).build(), routerAddress(), Transport.UDP);
        Received options = node.awaitRequest("OPTIONS", WAIT);
        String onlyOurVia = node.response(options.text(), 200, "t1").replaceFirst("(Via: [^\r]*\r\n)Via: [^\r]*\r\n",
                "$1");
        long dropped = router.droppedMessages();
        node.send(onlyOurVia, options.source(), Transport.UDP);
        await().atMost(WAIT).until(() -> router.droppedMessages() == dropped + 1);
        // §16.7 item 3: it was meant for the router; the caller gets no 200.
        caller.assertNone(r -> r.status() == 200, Duration.ofMillis(200));
    }
}
