package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Whatever a refused request held, the router's own answer to it is a well-formed SIP response (RFC 4475 §3.1.2). */
@Timeout(30)
class RoutersOwnResponsesAreWellFormedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @Test
    void theToTagOfARefusalOfAnUnterminatedQuoteIsOutsideAnyQuote() {
        farm.start();
        caller.send(caller.request("INVITE", farm.callUri()).to("\"Mr. J. User <sip:j.user@example.com>").build(),
                farm.routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        NameAddr to = bad.message().to();
        assertThat(to.uri()).isEqualTo("sip:j.user@example.com");
        assertThat(to.tag()).isNotEmpty();
    }

    @Test
    void controlCharactersOfARefusedRequestAreNotEchoed() {
        farm.start();
        String invite = caller.request("INVITE", farm.callUri()).callId("bell\u0007call").build()
                .replace("From: <sip:alice@", "From: \"nul\u0000\" <sip:alice@");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text().chars().filter(c -> c < ' ' && c != '\r' && c != '\n' && c != '\t')).isEmpty();
        assertThat(bad.header("Call-ID")).isEqualTo("bell?call");
        assertThat(bad.message().defect()).isNull();
    }

    @Test
    void aNodesResponseWithNoViaLeftOnceTheRoutersIsRemovedIsNotForwarded() {
        node.uas(UasBehavior.silent());
        farm.start();
        caller.send(caller.request("OPTIONS", farm.callUri()).build(), farm.routerAddress(), Transport.UDP);
        Received options = node.awaitRequest("OPTIONS", WAIT);
        String onlyOurVia = node.response(options.text(), 200, "t1").replaceFirst("(Via: [^\r]*\r\n)Via: [^\r]*\r\n",
                "$1");
        long dropped = farm.router().droppedMessages();
        node.send(onlyOurVia, options.source(), Transport.UDP);
        await().atMost(WAIT).until(() -> farm.router().droppedMessages() == dropped + 1);
        // §16.7 item 3: it was meant for the router; the caller gets no 200.
        caller.assertNone(r -> r.status() == 200, Duration.ofMillis(200));
    }
}
