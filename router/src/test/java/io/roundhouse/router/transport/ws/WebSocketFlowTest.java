package io.roundhouse.router.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.testing.WebSocketTestClient;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Flow by connection (RFC 7118 §5, RFC 5626 §5.3): a browser's call over {@code ws:} to a UDP node is record-routed
 * twice, the browser's side naming its connection's flow; the node's in-dialog requests reach the browser over that
 * connection, get 430 once it has closed, 403 with a flow the router did not sign for the dialog, and 410 towards a
 * {@code .invalid} name without a flow.
 */
@Timeout(30)
class WebSocketFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Router router;
    private SipTestAgent node;
    private WebSocketTestClient browser;

    @BeforeEach
    void start() throws Exception {
        node = SipTestAgent.start().uas(UasBehavior.answer());
        RouterConfig config = RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "ws:127.0.0.1:0" ]
                  flood: { exempt: [ "127.0.0.1" ] }
                  timers: { t1: 50ms, t2: 400ms, t4: 500ms }
                nodes:
                  - { id: a, uri: "sip:127.0.0.1:%d" }
                """.formatted(node.port()));
        router = Router.start(config, new StaticRoundRobinDispatcher(config.nodes()), registry);
        browser = WebSocketTestClient.sip(URI.create("ws://127.0.0.1:" + wsPort() + "/"));
        assertThat(browser.upgrade().accepted()).isTrue();
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        router.close();
        node.close();
    }

    private int udpPort() {
        return router.boundAddresses().get(0).getPort();
    }

    private int wsPort() {
        return router.boundAddresses().get(1).getPort();
    }

    private InetSocketAddress routerUdp() {
        return new InetSocketAddress("127.0.0.1", udpPort());
    }

    /** The browser calls; returns the INVITE as the node received it. */
    private Received call(String callId) throws Exception {
        browser.sendText(WebSocketListenerTest.browserRequest("INVITE", "sip:1000@127.0.0.1:" + wsPort(), callId,
                "WS"));
        String ok = browser.next("SIP/2.0 200", WAIT);
        assertThat(ok).isNotNull();
        return node.awaitRequest("INVITE", WAIT);
    }

    /**
     * A request from the node within the browser's dialog (§12.2.1.1): to the browser's Contact, through the route set
     * the INVITE's Record-Route gave the node (in order), with the node's To tag from its answer.
     */
    private String fromNode(Received invite, String method, int cseq, List<String> routes) {
        SipMessage m = invite.message();
        String contact = NameAddr.parse(invite.header("Contact"), 0, "Contact").uri();
        String nodeTag = "n1"; // the router does not look at it
        StringBuilder sb = new StringBuilder(method + " " + contact + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + node.hostPort() + ";branch=z9hG4bK-node-" + method + cseq + "\r\n"
                + "Max-Forwards: 70\r\n");
        for (String r : routes) {
            sb.append("Route: ").append(r).append("\r\n");
        }
        sb.append("From: ").append(m.headerValue(m.first(HeaderName.TO))).append(";tag=").append(nodeTag)
                .append("\r\nTo: ").append(m.headerValue(m.first(HeaderName.FROM))).append("\r\n")
                .append("Call-ID: ").append(m.callId()).append("\r\nCSeq: ").append(cseq).append(' ').append(method)
                .append("\r\nContact: <sip:uas@").append(node.hostPort()).append(">\r\nContent-Length: 0\r\n\r\n");
        return sb.toString();
    }

    private static List<String> recordRoutes(Received invite) {
        SipMessage m = invite.message();
        return m.ranges(HeaderName.RECORD_ROUTE).stream().map((ValueRange v) -> m.text(v)).toList();
    }

    /** A browser's answer to a request it received (the Via, From, To, Call-ID and CSeq copied, §8.2.6). */
    private static String answer(String request, int status) {
        StringBuilder sb = new StringBuilder("SIP/2.0 " + status + " OK\r\n");
        for (String line : request.split("\r\n")) {
            if (line.startsWith("Via:") || line.startsWith("From:") || line.startsWith("Call-ID:")
                    || line.startsWith("CSeq:")) {
                sb.append(line).append("\r\n");
            } else if (line.startsWith("To:")) {
                sb.append(line).append(";tag=b1\r\n");
            }
        }
        return sb.append("Content-Length: 0\r\n\r\n").toString();
    }

    @Test
    void theBrowsersSideIsRecordRoutedWithItsFlow() throws Exception {
        Received invite = call("flow-rr");
        List<String> rr = TestRouters.unsigned(recordRoutes(invite));
        assertThat(rr).hasSize(2);
        assertThat(rr.get(0)).isEqualTo("<sip:127.0.0.1:" + udpPort() + ";lr>");
        assertThat(rr.get(1)).matches("<sip:[0-9a-z]+-[0-9]+@127\\.0\\.0\\.1:" + wsPort() + ";transport=ws;lr>");
    }

    @Test
    void theNodesByeReachesTheBrowserOverItsConnectionAndTheAnswerComesBack() throws Exception {
        Received invite = call("flow-bye");
        node.clear();
        node.send(fromNode(invite, "BYE", 1, recordRoutes(invite)), routerUdp(), Transport.UDP);

        String bye = browser.next("BYE ", WAIT);
        assertThat(bye).isNotNull().contains("Via: SIP/2.0/WS 127.0.0.1:" + wsPort() + ";branch=z9hG4bKRh")
                .doesNotContain("Route:");
        browser.sendText(answer(bye, 200));
        Received ok = node.awaitResponse(200, WAIT);
        assertThat(ok.cseqMethod()).isEqualTo("BYE");
    }

    @Test
    void aReInviteFromTheNodeAndItsAckReachTheBrowser() throws Exception {
        Received invite = call("flow-reinvite");
        node.clear();
        node.send(fromNode(invite, "INVITE", 2, recordRoutes(invite)), routerUdp(), Transport.UDP);
        String reinvite = browser.next("INVITE ", WAIT);
        assertThat(reinvite).isNotNull();
        browser.sendText(answer(reinvite, 200));
        assertThat(node.awaitResponse(200, WAIT).cseqMethod()).isEqualTo("INVITE");

        node.send(fromNode(invite, "ACK", 2, recordRoutes(invite)), routerUdp(), Transport.UDP);
        assertThat(browser.next("ACK ", WAIT)).isNotNull();
    }

    @Test
    void aLate2xxRetransmissionReachesTheBrowserByItsViaAlone() throws Exception {
        Received invite = call("flow-late-2xx");
        // Once the call's transactions are gone (64*T1 = 3.2 s here), a 2xx retransmission is forwarded by its
        // second Via alone (§16.7 item 5): received and rport name the browser's connection.
        await().atMost(Duration.ofSeconds(10)).until(() -> registry.get("sip.transactions.live").gauge().value() == 0);
        node.send(node.response(invite.text(), 200, "late"), routerUdp(), Transport.UDP);
        assertThat(browser.next("SIP/2.0 200", WAIT)).isNotNull().contains("Call-ID: flow-late-2xx");
    }

    @Test
    void aRequestForABrowserWhoseConnectionClosedGets430() throws Exception {
        Received invite = call("flow-gone");
        browser.close();
        browser = null;
        // Once the router has seen the close: before that, the BYE would be written to the closing connection.
        await().atMost(WAIT).until(() -> registry.get("sip.connections.open").gauge().value() == 0);
        node.clear();
        node.send(fromNode(invite, "BYE", 1, recordRoutes(invite)), routerUdp(), Transport.UDP);
        assertThat(node.awaitFinal(WAIT).status()).isEqualTo(430);
    }

    @Test
    void aFlowTheRouterDidNotSignForTheDialogIsRefused() throws Exception {
        Received invite = call("flow-forged");
        List<String> routes = recordRoutes(invite);
        // The browser's flow token with another number: another connection.
        String forged = routes.get(1).replaceFirst("-[0-9]+@", "-999@");
        node.clear();
        node.send(fromNode(invite, "BYE", 1, List.of(routes.get(0), forged)), routerUdp(), Transport.UDP);
        assertThat(node.awaitFinal(WAIT).status()).isEqualTo(403);
        browser.assertNothing("BYE ", Duration.ofMillis(300));
    }

    @Test
    void aRequestTowardsAnInvalidNameWithoutAFlowGets410() throws Exception {
        Received invite = call("flow-none");
        node.clear();
        node.send(fromNode(invite, "BYE", 1, List.of(recordRoutes(invite).get(0))), routerUdp(), Transport.UDP);
        assertThat(node.awaitFinal(WAIT).status()).isEqualTo(410);
    }
}
