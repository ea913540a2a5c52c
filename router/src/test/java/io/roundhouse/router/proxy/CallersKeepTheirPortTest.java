package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Dialog;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sip.callers-keep-their-port}: a router with a port for new calls (the second UDP socket, the one callers are
 * given) and its own (the first, which the nodes reach) record-routes a caller with the port it called, so that the
 * caller sends and receives everything of its call there (a firewall opened for that port alone, a NAT that lets back
 * only what comes from where it sent, RFC 3581 §4), while the nodes' answers and requests still come to the router's
 * own socket, away from a flood of new INVITEs (docs/security.md, "A port for new calls").
 */
class CallersKeepTheirPortTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());
    private Router router;

    private void start() {
        router = farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "udp:127.0.0.2:0" ]
                  callers-keep-their-port: true
                  timers: { t1: 50ms, t2: 400ms, t4: 500ms, timer-d: 1s, timer-c: 10s, failover-timeout: 5s }
                  flood: { exempt: [ "127.0.0.1" ] }
                nodes:
                  - { id: node-1, uri: "%s" }
                """.formatted(node.uri(Transport.UDP))));
    }

    private InetSocketAddress own() {
        return router.boundAddresses().get(0);
    }

    private InetSocketAddress forNewCalls() {
        return router.boundAddresses().get(1);
    }

    /** A call set up through the port for new calls; returns the caller's 200. */
    private Received call(RequestBuilder invite) {
        caller.send(invite.build(), forNewCalls(), Transport.UDP);
        return caller.awaitResponse(200, WAIT);
    }

    @Test
    void theNodeSeesTheRoutersOwnSocketAndTheCallerThePortItCalled() {
        start();
        Received ok = call(caller.request("INVITE", "sip:1000@" + hostPort(forNewCalls())));

        Received forwarded = node.awaitRequest("INVITE", WAIT);
        assertThat(forwarded.source()).isEqualTo(own());
        assertThat(forwarded.headers("Via").get(0)).startsWith("SIP/2.0/UDP " + hostPort(own()) + ";");
        List<String> recordRoute = forwarded.headers("Record-Route");
        assertThat(recordRoute).as("the node's side first, then the caller's (RFC 5658 §3.2)").hasSize(2);
        assertThat(recordRoute.get(0)).startsWith("<sip:" + hostPort(own()) + ";lr");
        assertThat(recordRoute.get(1)).startsWith("<sip:" + hostPort(forNewCalls()) + ";lr");
        assertThat(ok.source()).isEqualTo(forNewCalls());
    }

    @Test
    void theCallersAckGoesToThePortItCalledAndOnFromTheRoutersOwn() {
        start();
        RequestBuilder invite = caller.request("INVITE", "sip:1000@" + hostPort(forNewCalls()));
        Dialog dialog = new Dialog(caller, call(invite), invite.fromTag(), Transport.UDP);

        assertThat(dialog.nextHop()).isEqualTo(forNewCalls());
        dialog.send("ACK", 1);
        Received ack = node.awaitRequest("ACK", WAIT);
        assertThat(ack.source()).isEqualTo(own());
        assertThat(ack.headers("Route")).as("both of the router's Route values consumed").isEmpty();
    }

    @Test
    void theNodesByeReachesTheCallerFromThePortItCalledAndTheAnswerComesBackThere() {
        start();
        RequestBuilder invite = caller.request("INVITE", "sip:1000@" + hostPort(forNewCalls())).callId("bye-1");
        Received ok = call(invite);
        List<String> recordRoute = node.awaitRequest("INVITE", WAIT).headers("Record-Route");

        // The node hangs up: its route set is the Record-Route in order, its Request-URI the caller's Contact
        // (§12.1.1).
        RequestBuilder bye = node.request("BYE", caller.uri(Transport.UDP)).callId("bye-1").cseq(1)
                .fromTag(toTag(ok)).to("<sip:alice@" + caller.hostPort() + ">;tag=" + invite.fromTag());
        recordRoute.forEach(bye::route);
        node.send(bye.build(), own(), Transport.UDP);

        Received atTheCaller = caller.awaitRequest("BYE", WAIT);
        assertThat(atTheCaller.source()).isEqualTo(forNewCalls());
        assertThat(atTheCaller.headers("Via").get(0)).as("so the caller's 200 comes back to that port")
                .startsWith("SIP/2.0/UDP " + hostPort(forNewCalls()) + ";");
        assertThat(router.relayRefused()).isZero();
    }

    @Test
    void aRetransmitted200ReachesTheCallerFromThePortItCalled() {
        start();
        Received ok = call(caller.request("INVITE", "sip:1000@" + hostPort(forNewCalls())));
        String inviteAtTheNode = node.awaitRequest("INVITE", WAIT).text();
        caller.clear();

        // The caller's ACK was lost: the node sends its 200 again (§13.3.1.4), which no transaction matches now.
        node.send(node.response(inviteAtTheNode, 200, toTag(ok)), own(), Transport.UDP);

        assertThat(caller.awaitResponse(200, WAIT).source()).isEqualTo(forNewCalls());
    }

    private static String toTag(Received ok) {
        String to = ok.header("To");
        return to.substring(to.indexOf(";tag=") + ";tag=".length());
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
