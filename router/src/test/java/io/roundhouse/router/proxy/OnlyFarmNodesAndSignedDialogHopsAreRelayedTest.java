package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The router is no open relay (docs/security.md, "Routing (no open relay)"): a request that names its own next hop
 * behind the router's Route reaches a farm node, or, in a dialog, a hop the router signed into its Record-Route for
 * that dialog; every other target gets 403 (an ACK is dropped) and is counted. The foreign host is another loopback
 * address (127.0.0.2) that records what it receives.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OnlyFarmNodesAndSignedDialogHopsAreRelayedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());
    private final SipTestAgent victim = farm.closeAfterEach(SipTestAgent.start("127.0.0.2").uas(UasBehavior.silent()));
    private String me;

    @BeforeEach
    void start() {
        farm.start();
        me = "127.0.0.1:" + farm.router().port();
    }

    private void send(RequestBuilder request, Transport transport) {
        caller.send(request.transport(transport).build(), farm.routerAddress(), transport);
    }

    private void assertRefusedAndNothingRelayed(int refused) {
        Received answer = caller.awaitFinal(WAIT);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Warning")).contains("not relayed");
        victim.assertNone(r -> true, Duration.ofMillis(300));
        assertThat(farm.router().relayRefused()).isEqualTo(refused);
    }

    /** A call set up through the router; returns the Record-Route values the node received. */
    private List<String> callThroughTheRouter(String callId, String fromTag) {
        send(caller.request("INVITE", "sip:1000@" + me).callId(callId).fromTag(fromTag), Transport.UDP);
        Received atNode = node.awaitRequest("INVITE", WAIT);
        caller.awaitResponse(200, WAIT);
        caller.clear();
        return atNode.headers("Record-Route");
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void anInitialInviteWithTheRoutersRouteThenAForeignOneGets403(Transport transport) {
        send(caller.request("INVITE", "sip:1000@" + me).route("<sip:" + me + ";lr>")
                .route("<sip:" + victim.hostPort() + ";lr>"), transport);
        assertRefusedAndNothingRelayed(1);
        assertThat(node.all(r -> r.method().equals("INVITE"))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void anOutOfDialogMessageWithTheRoutersRouteThenAForeignOneGets403(Transport transport) {
        send(caller.request("MESSAGE", "sip:bob@" + victim.hostPort()).body("hi")
                .route("<sip:" + me + ";lr>, <sip:" + victim.hostPort() + ";lr>"), transport);
        assertRefusedAndNothingRelayed(1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void anInDialogByeWithTheRoutersRouteThenAForeignOneGets403(Transport transport) {
        send(caller.request("BYE", "sip:bob@192.0.2.1").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>").route("<sip:" + victim.hostPort() + ";lr>"), transport);
        assertRefusedAndNothingRelayed(1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void anInDialogInviteWhoseRequestUriIsAForeignHostGets403(Transport transport) {
        send(caller.request("INVITE", victim.uri(Transport.UDP)).to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>"), transport);
        assertRefusedAndNothingRelayed(1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void strictRoutingThroughTheRoutersRequestUriToAForeignLastRouteGets403(Transport transport) {
        // §16.4: the Request-URI is the router's (a strict router before it) and the real one is the last Route.
        send(caller.request("BYE", "sip:" + me).to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:bob@" + victim.hostPort() + ">"), transport);
        assertRefusedAndNothingRelayed(1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void aForeignStrictRouterAsNextHopGets403(Transport transport) {
        // §16.6 item 6 would put the foreign URI in the Request-URI: refused before that.
        send(caller.request("BYE", "sip:bob@192.0.2.1").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>").route("<sip:" + victim.hostPort() + ">"), transport);
        assertRefusedAndNothingRelayed(1);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void anAckWithTheRoutersRouteThenAForeignOneIsDroppedAndCounted(Transport transport) {
        send(caller.request("ACK", victim.uri(Transport.UDP)).to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + me + ";lr>"), transport);
        victim.assertNone(r -> true, Duration.ofMillis(300));
        assertThat(farm.router().relayRefused()).isEqualTo(1);
        assertThat(caller.received()).isEmpty(); // no response to an ACK (§17.2.1)
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void aCancelIsAnsweredByTheRouterAndNeverFollowsItsRoute(Transport transport) {
        send(caller.request("CANCEL", victim.uri(Transport.UDP)).route("<sip:" + me + ";lr>")
                .route("<sip:" + victim.hostPort() + ";lr>"), transport);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(481);
        victim.assertNone(r -> true, Duration.ofMillis(300));
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"})
    void theCalleesByeReachesTheCallerThroughTheSignedRecordRoute(Transport transport) {
        List<String> recordRoute = callThroughTheRouter("signed-" + transport, "ct");
        // The node hangs up: its route set is the Record-Route, its Request-URI the caller's Contact (§12.1.1).
        String bye = node.request("BYE", caller.uri(Transport.UDP)).callId("signed-" + transport).cseq(1)
                .fromTag("nt").to("<sip:alice@" + caller.hostPort() + ">;tag=ct").route(recordRoute.get(0))
                .transport(transport).build();
        node.send(bye, farm.routerAddress(), transport);
        assertThat(caller.awaitRequest("BYE", WAIT).requestUri()).isEqualTo(caller.uri(Transport.UDP));
        assertThat(farm.router().relayRefused()).isZero();
    }

    @Test
    void theSignatureOfOneDialogDoesNotOpenAnother() {
        List<String> recordRoute = callThroughTheRouter("dialog-a", "a");
        send(caller.request("BYE", caller.uri(Transport.UDP)).callId("dialog-b").to("<sip:bob@x>;tag=x")
                .route(recordRoute.get(0)), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(403);
        assertThat(farm.router().relayRefused()).isEqualTo(1);
    }

    @Test
    void theSignatureOfADialogDoesNotOpenAnotherHost() {
        List<String> recordRoute = callThroughTheRouter("dialog-c", "c");
        send(caller.request("BYE", victim.uri(Transport.UDP)).callId("dialog-c").to("<sip:bob@x>;tag=x")
                .route(recordRoute.get(0)), Transport.UDP);
        assertRefusedAndNothingRelayed(1);
    }

    @Test
    void aForgedSignatureGets403() {
        send(caller.request("BYE", victim.uri(Transport.UDP)).to("<sip:bob@x>;tag=x")
                .route("<sip:" + me + ";lr;rh=AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA>"), Transport.UDP);
        assertRefusedAndNothingRelayed(1);
    }

    @Test
    void aRequestFromANodesOwnAddressIsHeldToTheSameRule() {
        // A node's source address proves nothing (UDP sources can be forged): the rule is about where it goes.
        node.send(node.request("BYE", victim.uri(Transport.UDP)).to("<sip:bob@x>;tag=x")
                .route("<sip:" + me + ";lr>").build(), farm.routerAddress(), Transport.UDP);
        assertThat(node.awaitFinal(WAIT).status()).isEqualTo(403);
        victim.assertNone(r -> true, Duration.ofMillis(300));
    }

    @Test
    void aByeToASilentForeignTargetIsAnsweredOnceAndNothingIsRetransmitted() {
        // The amplifier the issue measured: a ~290-byte BYE made the router send 11 datagrams to a silent target.
        String bye = caller.request("BYE", "sip:b@" + victim.hostPort()).callId("amp@x").fromTag("f")
                .to("<sip:b@" + victim.hostPort() + ">;tag=t").route("<sip:" + me + ";lr>").build();
        assertThat(bye.getBytes(StandardCharsets.UTF_8).length).isLessThan(400);
        caller.send(bye, farm.routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(403);
        // Retransmissions would start at T1 = 50 ms and double: 16 T1 covers five of them.
        victim.assertNone(r -> true, Duration.ofMillis(800));
        assertThat(caller.received()).hasSize(1);
        assertThat(node.received()).isEmpty();
    }
}
