package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.testing.Dialog;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Route pre-processing (§16.4), next hop and strict routing (§16.6 item 6), and Record-Route across transports. */
class ProxyRoutingTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());
    private String me;

    @BeforeEach
    void start() {
        me = "127.0.0.1:" + farm.start().port();
    }

    @Test
    void aTcpCallerToAUdpNodeIsDoubleRecordRoutedAndTheNodesByeReachesTheCallerOverTcp() {
        RequestBuilder invite = caller.request("INVITE", "sip:1000@" + me).transport(Transport.TCP).fromTag("ct");
        caller.send(invite.build(), farm.routerAddress(), Transport.TCP);
        Received atNode = node.awaitRequest("INVITE", WAIT);
        assertThat(atNode.transport()).isEqualTo(Transport.UDP);
        assertThat(TestRouters.unsigned(atNode.headers("Record-Route")))
                .containsExactly("<sip:" + me + ";lr>", "<sip:" + me + ";transport=tcp;lr>");
        assertThat(atNode.headers("Via").get(0)).startsWith("SIP/2.0/UDP " + me);
        assertThat(atNode.headers("Via").get(1)).startsWith("SIP/2.0/TCP");

        Received ok = caller.awaitResponse(200, WAIT);
        assertThat(ok.transport()).isEqualTo(Transport.TCP);
        Dialog dialog = new Dialog(caller, ok, "ct", Transport.TCP);
        assertThat(TestRouters.unsigned(dialog.routeSet()))
                .containsExactly("<sip:" + me + ";transport=tcp;lr>", "<sip:" + me + ";lr>");
        dialog.send("ACK", 1);
        Received ack = node.awaitRequest("ACK", WAIT);
        assertThat(ack.transport()).isEqualTo(Transport.UDP);
        assertThat(ack.headers("Route")).isEmpty();

        // The callee hangs up: its route set is the Record-Route in order; remote target the caller's Contact.
        String toTag = ok.header("To").replaceAll(".*tag=", "");
        List<String> recordRoute = atNode.headers("Record-Route");
        String bye = node.request("BYE", caller.uri(Transport.TCP)).callId(ok.callId()).cseq(1).fromTag(toTag)
                .to("<sip:alice@" + caller.hostPort() + ">;tag=ct")
                .route(recordRoute.get(0)).route(recordRoute.get(1)).build();
        node.send(bye, farm.routerAddress(), Transport.UDP);
        Received byeAtCaller = caller.awaitRequest("BYE", WAIT);
        assertThat(byeAtCaller.transport()).isEqualTo(Transport.TCP);
        assertThat(byeAtCaller.headers("Route")).isEmpty();
        assertThat(byeAtCaller.requestUri()).isEqualTo(caller.uri(Transport.TCP));
    }

    @Test
    void aLooseRouteSetIsFollowedAndOurRouteRemoved() {
        String req = caller.request("INFO", "sip:bob@192.0.2.1:5060").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>").route("<sip:" + node.hostPort() + ";lr>").build();
        caller.send(req, farm.routerAddress(), Transport.UDP);
        Received info = node.awaitRequest("INFO", WAIT);
        assertThat(info.requestUri()).isEqualTo("sip:bob@192.0.2.1:5060");
        assertThat(info.headers("Route")).containsExactly("<sip:" + node.hostPort() + ";lr>");
        assertThat(info.header("Record-Route")).isNull();
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }

    @Test
    void aCommaJoinedRouteHeaderLosesOnlyOurValue() {
        String req = caller.request("INFO", "sip:bob@192.0.2.1:5060").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>, <sip:" + node.hostPort() + ";lr>").build();
        caller.send(req, farm.routerAddress(), Transport.UDP);
        Received info = node.awaitRequest("INFO", WAIT);
        assertThat(info.headers("Route")).containsExactly("<sip:" + node.hostPort() + ";lr>");
    }

    @Test
    void aRequestUriNamingTheRouterIsReplacedByTheLastRoute() {
        // §16.4: the previous hop was a strict router and put our URI in the Request-URI.
        String req = caller.request("BYE", "sip:" + me).to("<sip:bob@example.com>;tag=x")
                .route("<sip:uas@" + node.hostPort() + ">").build();
        caller.send(req, farm.routerAddress(), Transport.UDP);
        Received bye = node.awaitRequest("BYE", WAIT);
        assertThat(bye.requestUri()).isEqualTo("sip:uas@" + node.hostPort());
        assertThat(bye.headers("Route")).isEmpty();
    }

    @Test
    void aPreloadedRouteNamingTheRouterIsRemovedAndTheCallDispatchedWithItsRequestUri() {
        // A phone with the router as outbound proxy (§8.1.2): Route names the router, Request-URI the callee.
        caller.send(caller.request("INVITE", "sip:1000@" + me).route("<sip:" + me + ";lr>").build(), farm.routerAddress(),
                Transport.UDP);
        Received invite = node.awaitRequest("INVITE", WAIT);
        assertThat(invite.requestUri()).isEqualTo("sip:1000@" + me);
        assertThat(invite.headers("Route")).isEmpty();
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }

    @Test
    void aStrictRouterAsNextHopGetsTheRequestUriAndTheOldOneGoesLastInRoute() {
        // §16.6 item 6: the next Route has no lr.
        String req = caller.request("BYE", "sip:bob@192.0.2.1").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>").route("<sip:" + node.hostPort() + ">").build();
        caller.send(req, farm.routerAddress(), Transport.UDP);
        Received bye = node.awaitRequest("BYE", WAIT);
        assertThat(bye.requestUri()).isEqualTo("sip:" + node.hostPort());
        assertThat(bye.headers("Route")).isEqualTo(List.of("<sip:bob@192.0.2.1>"));
    }

    @Test
    void responsesAreRoutedByViaToTheReceivedAndRportAddress() {
        // The caller claims a sent-by it does not send from; rport makes the answer come back to the real source.
        String invite = caller.request("INVITE", "sip:1000@" + me).build()
                .replace("Via: SIP/2.0/UDP " + caller.hostPort(), "Via: SIP/2.0/UDP 192.0.2.99:5099");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        Received ok = caller.awaitResponse(200, WAIT);
        assertThat(ok.header("Via")).contains("192.0.2.99:5099").contains("received=127.0.0.1")
                .contains("rport=" + caller.port());
    }
}
