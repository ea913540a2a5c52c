package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.WebSocketTestClient;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.router.transport.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls from WebSocket clients (Netty's, writing what a browser's SIP stack writes: {@code .invalid} Via and Contact)
 * through the router's {@code ws:} listener to sipp nodes over UDP: each call's ACK and BYE follow the route set of the
 * router's double Record-Route over the client's connection, and the sipp node (whose scenario makes ACK and BYE
 * mandatory) counts every call as successful.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WebSocketCallsToSippIT {

    static final Duration BOUND = Duration.ofSeconds(60);
    static final Duration WAIT = Duration.ofSeconds(5);
    static final int CONNECTIONS = 4;
    static final int CALLS_PER_CONNECTION = 10;

    @Test
    void callsOverWebSocketConnectionsReachSippNodesWithTheirAckAndBye() throws Exception {
        try (SippProcess a = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start();
             SippProcess b = SippProcess.scenario("uas.xml").maxDuration(BOUND).traceMessages().start()) {
            RouterConfig cfg = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:127.0.0.1:0", "ws:127.0.0.1:0" ]
                      flood: { exempt: [ "127.0.0.1" ] }
                    nodes:
                      - { id: a, uri: "sip:127.0.0.1:%d" }
                      - { id: b, uri: "sip:127.0.0.1:%d" }
                    """.formatted(a.localPort(), b.localPort()));
            try (Router router = Router.start(cfg)) {
                int ws = router.boundAddresses().get(1).getPort();
                for (int c = 0; c < CONNECTIONS; c++) {
                    try (WebSocketTestClient browser = WebSocketTestClient.sip(URI.create("ws://127.0.0.1:" + ws + "/"))) {
                        assertThat(browser.upgrade().accepted()).isTrue();
                        for (int i = 0; i < CALLS_PER_CONNECTION; i++) {
                            call(browser, ws, "ws-sipp-" + c + "-" + i);
                        }
                    }
                }
            }
            SippResult first = a.stop();
            SippResult second = b.stop();
            int calls = CONNECTIONS * CALLS_PER_CONNECTION;
            assertThat(first.successfulCalls() + second.successfulCalls()).as("%s\n%s", first, second)
                    .isEqualTo(calls);
            assertThat(first.failedCalls() + second.failedCalls()).as("%s\n%s", first, second).isZero();
            assertThat(a.messages().receivedRequests("INVITE")).allSatisfy(invite -> {
                assertThat(invite.headerLines("Via").get(1)).startsWith("SIP/2.0/WS df7jal23ls0d.invalid;");
                assertThat(invite.headerLines("Record-Route")).hasSize(2);
            });
        }
    }

    /** INVITE, 200, then ACK and BYE along the route set (the 200's Record-Route reversed, §12.1.2), 200 to the BYE. */
    private static void call(WebSocketTestClient browser, int ws, String callId) throws Exception {
        browser.sendText(request("INVITE sip:1000@127.0.0.1:" + ws, callId, 1, "INVITE", List.of(), ""));
        String okText = browser.next("SIP/2.0 200", WAIT);
        assertThat(okText).as(callId).isNotNull();
        Received ok = new Received(okText, null, Transport.WS);
        List<String> routes = new ArrayList<>(ok.headers("Record-Route"));
        Collections.reverse(routes);
        assertThat(routes).as(callId).hasSize(2);
        String target = NameAddr.parse(ok.header("Contact"), 0, "Contact").uri();
        String toTag = ";tag=" + ok.header("To").replaceFirst(".*;tag=", "");
        browser.sendText(request("ACK " + target, callId, 1, "ACK", routes, toTag));
        browser.sendText(request("BYE " + target, callId, 2, "BYE", routes, toTag));
        String byeOk = browser.next("SIP/2.0 200", WAIT);
        assertThat(byeOk).as(callId).isNotNull().contains("CSeq: 2 BYE");
    }

    private static String request(String requestLine, String callId, int cseq, String method, List<String> routes,
                                  String toTag) {
        StringBuilder sb = new StringBuilder(requestLine + " SIP/2.0\r\n"
                + "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-" + callId + "-" + method + "\r\n"
                + "Max-Forwards: 70\r\n");
        for (String r : routes) {
            sb.append("Route: ").append(r).append("\r\n");
        }
        return sb.append("From: <sip:browser@example.com>;tag=b-").append(callId).append("\r\n")
                .append("To: <sip:1000@127.0.0.1>").append(toTag).append("\r\n")
                .append("Call-ID: ").append(callId).append("\r\nCSeq: ").append(cseq).append(' ').append(method)
                .append("\r\nContact: <sip:browser@df7jal23ls0d.invalid;transport=ws;ob>\r\n")
                .append("Content-Length: 0\r\n\r\n").toString();
    }
}
