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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A router listening on two UDP sockets (two loopback hosts: two port-0 entries of one host would share one socket),
 * callers sending their new calls to the second: what it forwards names the
 * first (Via, Record-Route), so the nodes' answers and the calls' in-dialog requests come back there, away from a
 * flood of new INVITEs (docs/security.md, "A port for new calls"); and every response leaves from the socket its
 * request came in on (RFC 3581 §4), whichever path answers it.
 */
class TwoUdpListenPointsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    private Router start(String overload) {
        return farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "udp:127.0.0.2:0" ]
                  timers: { t1: 50ms, t2: 400ms, t4: 500ms, timer-d: 1s, timer-c: 10s, failover-timeout: 5s }
                  flood: { exempt: [ "127.0.0.1" ] }
                  overload: %s
                nodes:
                  - { id: node-1, uri: "%s" }
                """.formatted(overload, node.uri(Transport.UDP))));
    }

    private static InetSocketAddress first(Router router) {
        return router.boundAddresses().get(0);
    }

    private static InetSocketAddress second(Router router) {
        return router.boundAddresses().get(1);
    }

    @Test
    void aCallSentToTheSecondSocketIsAnsweredFromIt() {
        Router router = start("{ }");
        caller.send(caller.request("INVITE", "sip:1000@" + hostPort(second(router))).build(), second(router),
                Transport.UDP);

        assertThat(caller.awaitResponse(100, WAIT).source()).as("the router's own 100").isEqualTo(second(router));
        assertThat(caller.awaitResponse(200, WAIT).source()).as("the node's 200, forwarded").isEqualTo(second(router));
    }

    @Test
    void whatItForwardsNamesTheFirstSocketSoTheCallComesBackThere() {
        Router router = start("{ }");
        RequestBuilder invite = caller.request("INVITE", "sip:1000@" + hostPort(second(router)));
        caller.send(invite.build(), second(router), Transport.UDP);

        Received forwarded = node.awaitRequest("INVITE", WAIT);
        assertThat(forwarded.source()).isEqualTo(first(router));
        assertThat(forwarded.headers("Via").get(0)).startsWith("SIP/2.0/UDP " + hostPort(first(router)) + ";");
        assertThat(forwarded.headers("Record-Route")).hasSize(1);
        assertThat(forwarded.header("Record-Route")).startsWith("<sip:" + hostPort(first(router)) + ";lr");

        Dialog dialog = new Dialog(caller, caller.awaitResponse(200, WAIT), invite.fromTag(), Transport.UDP);
        assertThat(dialog.nextHop()).as("the caller's ACK and BYE follow the route set").isEqualTo(first(router));
        dialog.send("ACK", 1);
        assertThat(node.awaitRequest("ACK", WAIT).source()).isEqualTo(first(router));
    }

    @Test
    void aNewCallShedAtTheDoorIsRefusedFromTheSocketItCameInOn() {
        node.uas(UasBehavior.silent());
        Router router = start("{ max-calls-in-progress: 1 }");
        caller.send(caller.request("INVITE", "sip:1000@" + hostPort(second(router))).build(), second(router),
                Transport.UDP);
        node.awaitRequest("INVITE", WAIT); // the one call in progress, never answered
        caller.send(caller.request("INVITE", "sip:1001@" + hostPort(second(router))).build(), second(router),
                Transport.UDP);

        Received refused = caller.awaitResponse(503, WAIT);
        assertThat(refused.source()).isEqualTo(second(router));
    }

    @Test
    void aFinalResponseSentAgainForARetransmissionLeavesFromTheSameSocket() {
        Router router = start("{ }");
        String message = caller.request("MESSAGE", "sip:1000@" + hostPort(second(router))).build();
        caller.send(message, second(router), Transport.UDP);
        assertThat(caller.awaitResponse(200, WAIT).source()).isEqualTo(second(router));
        node.awaitRequest("MESSAGE", WAIT);
        caller.clear();

        caller.send(message, second(router), Transport.UDP); // its 200 lost: the caller's Timer E sends it again
        assertThat(caller.awaitResponse(200, WAIT).source()).as("from the completed transaction (Timer J)")
                .isEqualTo(second(router));
        assertThat(node.all(r -> r.method().equals("MESSAGE"))).as("absorbed, not forwarded again").hasSize(1);
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }
}
