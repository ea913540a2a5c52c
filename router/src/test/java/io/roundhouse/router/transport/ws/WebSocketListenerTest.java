package io.roundhouse.router.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestCertificate;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.testing.WebSocketTestClient;
import io.roundhouse.router.transport.Transport;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ws:} and {@code wss:} listeners (RFC 7118) on real sockets with Netty's WebSocket client: the upgrade and its
 * refusals (subprotocol, Origin, plain HTTP, deadline), one SIP message per WebSocket message (text, binary,
 * fragmented), the size limit, keep-alive and the connection caps shared with TCP.
 */
@Timeout(60)
class WebSocketListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    static Path dir;
    private static TestCertificate certificate;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<WebSocketTestClient> clients = new ArrayList<>();
    private Router router;
    private SipTestAgent node;

    @BeforeAll
    static void makeCertificate() throws Exception {
        certificate = TestCertificate.make(dir);
    }

    @AfterEach
    void stop() {
        clients.forEach(WebSocketTestClient::close);
        if (router != null) {
            router.close();
        }
        if (node != null) {
            node.close();
        }
    }

    /** A router listening on UDP, then ws: (and wss: with a certificate), with {@code sip} appended to its section. */
    private void start(String sipExtra, String rest) {
        start(sipExtra, rest, "");
    }

    private void start(String sipExtra, String rest, String tlsExtra) {
        RouterConfig config = RouterConfig.parse("sip:\n"
                + "  listen: [ \"udp:127.0.0.1:0\", \"ws:127.0.0.1:0\", \"wss:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + certificate.certificate() + "\", private-key: \""
                + certificate.privateKey() + "\"" + tlsExtra + " }\n"
                + "  flood: { exempt: [ \"127.0.0.1\" ] }\n"
                + sipExtra + rest);
        router = Router.start(config, new StaticRoundRobinDispatcher(config.nodes()), registry);
    }

    private void start() {
        start("", "");
    }

    private int wsPort() {
        return router.boundAddresses().get(1).getPort();
    }

    private int wssPort() {
        return router.boundAddresses().get(2).getPort();
    }

    private URI ws() {
        return URI.create("ws://127.0.0.1:" + wsPort() + "/");
    }

    private WebSocketTestClient client(URI uri, String subprotocol, String origin) throws Exception {
        WebSocketTestClient c = WebSocketTestClient.connect(uri, subprotocol, origin, null, true);
        clients.add(c);
        return c;
    }

    private WebSocketTestClient sipClient() throws Exception {
        WebSocketTestClient c = client(ws(), "sip", null);
        assertThat(c.upgrade().status()).isEqualTo(101);
        return c;
    }

    /** A request as a browser's SIP stack writes it: Via and Contact with a .invalid host (RFC 7118 §5). */
    static String browserRequest(String method, String uri, String callId, String transport) {
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " df7jal23ls0d.invalid;branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=b1\r\nTo: <" + uri + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\n"
                + "Contact: <sip:alice@df7jal23ls0d.invalid;transport=" + transport.toLowerCase() + ";ob>\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private String options(String callId) {
        return browserRequest("OPTIONS", "sip:127.0.0.1:" + wsPort(), callId, "WS");
    }

    private double refused(String reason) {
        return registry.get("sip.websocket.upgrades.refused").tag("reason", reason).functionCounter().count();
    }

    @Test
    void anUpgradeWithTheSipSubprotocolCarriesSipAndTheResponseNamesTheSource() throws Exception {
        start();
        WebSocketTestClient c = sipClient();
        c.sendText(options("ws-options"));

        String answer = c.next(WAIT);
        assertThat(answer).startsWith("SIP/2.0 200 OK\r\n");
        // received and rport from the connection (§18.2.1, RFC 3581): the .invalid sent-by cannot be reached
        assertThat(answer).contains("Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-ws-options;received=127.0.0.1"
                + ";rport=" + c.localPort() + "\r\n");
        assertThat(registry.get("sip.websocket.upgrades").functionCounter().count()).isEqualTo(1);
    }

    @Test
    void binaryAndFragmentedMessagesAreOneSipMessageEach() throws Exception {
        start();
        WebSocketTestClient c = sipClient();
        c.sendBinary(options("ws-binary").getBytes(StandardCharsets.UTF_8));
        assertThat(c.next(WAIT)).startsWith("SIP/2.0 200 OK\r\n").contains("z9hG4bK-ws-binary");

        String whole = options("ws-fragments");
        int cut = whole.length() / 2;
        c.send(new TextWebSocketFrame(false, 0, whole.substring(0, cut)));
        c.send(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer(whole.substring(cut),
                StandardCharsets.UTF_8)));
        assertThat(c.next(WAIT)).startsWith("SIP/2.0 200 OK\r\n").contains("z9hG4bK-ws-fragments");
    }

    @Test
    void anUpgradeWithoutTheSipSubprotocolIsRefused() throws Exception {
        start();
        WebSocketTestClient none = client(ws(), null, null);
        assertThat(none.upgrade().status()).isEqualTo(400);
        assertThat(none.upgrade().body()).contains("'sip' WebSocket subprotocol is required");
        WebSocketTestClient chat = client(ws(), "chat", null);
        assertThat(chat.upgrade().status()).isEqualTo(400);
        assertThat(none.awaitClosed(WAIT)).isTrue();
        assertThat(refused("subprotocol")).isEqualTo(2);
        // among others, sip is enough
        assertThat(client(ws(), "chat, sip", null).upgrade().status()).isEqualTo(101);
    }

    @Test
    void onlyAllowedOriginsMayUpgrade() throws Exception {
        start("  websocket: { allowed-origins: [ \"https://Phone.Example.com\" ] }\n", "");
        assertThat(client(ws(), "sip", "https://evil.example.net").upgrade().status()).isEqualTo(403);
        assertThat(client(ws(), "sip", "https://phone.example.com").upgrade().status()).isEqualTo(101);
        // no Origin: not a browser, which could write any Origin anyway
        assertThat(client(ws(), "sip", null).upgrade().status()).isEqualTo(101);
        assertThat(refused("origin")).isEqualTo(1);
    }

    @Test
    void aPlainHttpRequestIsToldToUpgrade() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", wsPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 426 Upgrade Required\r\n").contains("upgrade: websocket");
        }
        assertThat(refused("not-upgrade")).isEqualTo(1);
    }

    @Test
    void anUpgradeRequestOverTheHeaderLimitIsRefused() throws Exception {
        start();
        try (Socket s = new Socket("127.0.0.1", wsPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Protocol: sip\r\nCookie: " + "c".repeat(WebSocketPipeline.MAX_HEADER_SIZE)
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n");
        }
        assertThat(refused("bad-request")).isEqualTo(1);
    }

    @Test
    void anUpgradeRequestWithABodyIsRefused() throws Exception {
        start("  connections: { message-timeout: 500ms }\n", "");
        try (Socket s = new Socket("127.0.0.1", wsPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Protocol: sip\r\nContent-Length: 5\r\n\r\nhello").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n");
        }
    }

    @Test
    void anUpgradeThatDoesNotArriveWithinTheMessageDeadlineIsClosed() throws Exception {
        start("  connections: { message-timeout: 500ms }\n", "");
        try (Socket s = new Socket("127.0.0.1", wsPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            assertThat(in.read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(300L, 3000L);
        }
        assertThat(refused("deadline")).isEqualTo(1);
    }

    @Test
    void aMessageOverTheSizeLimitClosesTheConnectionWith1009() throws Exception {
        start("  max-message-size: 1024\n", "");
        WebSocketTestClient c = sipClient();
        c.sendText(options("big").replace("Content-Length: 0\r\n", "X-Pad: " + "x".repeat(1200) + "\r\n"
                + "Content-Length: 0\r\n"));
        assertThat(c.closeStatus(WAIT)).isEqualTo(1009);
        assertThat(c.awaitClosed(WAIT)).isTrue();
    }

    @Test
    void aMessageOverTheSizeLimitInContinuationsIsRefusedToo() throws Exception {
        start("  max-message-size: 1024\n", "");
        WebSocketTestClient c = sipClient();
        c.send(new TextWebSocketFrame(false, 0, "x".repeat(800)));
        c.send(new ContinuationWebSocketFrame(true, 0, Unpooled.copiedBuffer("y".repeat(800),
                StandardCharsets.UTF_8)));
        assertThat(c.closeStatus(WAIT)).isEqualTo(1009);
        assertThat(c.awaitClosed(WAIT)).isTrue();
    }

    @Test
    void aBrowserThatStopsAnsweringPingsIsClosed() throws Exception {
        start("  websocket: { ping-interval: 1s, pong-timeout: 200ms }\n", "");
        WebSocketTestClient silent = WebSocketTestClient.connect(ws(), "sip", null, null, false);
        clients.add(silent);
        assertThat(silent.upgrade().status()).isEqualTo(101);

        // pinged after one to two quiet intervals, closed 200 ms later
        assertThat(silent.awaitClosed(Duration.ofSeconds(8))).isTrue();
        assertThat(silent.pings()).isGreaterThanOrEqualTo(1);
        assertThat(registry.get("sip.websocket.pong.timeouts").functionCounter().count()).isEqualTo(1);
    }

    @Test
    void webSocketConnectionsCountAgainstTheConnectionCaps() throws Exception {
        start("  connections: { max-per-source: 2 }\n", "");
        sipClient();
        sipClient();
        WebSocketTestClient third = client(ws(), "sip", null);
        assertThat(third.awaitClosed(WAIT)).isTrue();
        assertThat(third.upgrade().accepted()).isFalse();
    }

    @Test
    void aHandshakeFloodIsCappedAndCutAtTheDeadlineAndServiceGoesOn() throws Exception {
        start("  connections: { max-per-source: 8, message-timeout: 500ms }\n", "");
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Socket s = new Socket("127.0.0.1", wsPort());
                s.setSoTimeout(5000);
                flood.add(s); // connects and never sends its upgrade
            }
            for (Socket s : flood) {
                assertThat(s.getInputStream().read()).isEqualTo(-1); // refused at once, or cut at the deadline
            }
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        assertThat(registry.get("sip.connections.refused").tag("limit", "max-per-source").functionCounter().count())
                .isEqualTo(22);
        assertThat(refused("deadline")).isEqualTo(8);
        await().atMost(WAIT).until(() -> registry.get("sip.connections.open").gauge().value() == 0);
        WebSocketTestClient c = sipClient();
        c.sendText(options("after-flood"));
        assertThat(c.next(WAIT)).startsWith("SIP/2.0 200 OK\r\n");
    }

    @Test
    void secureWebSocketUsesTheTlsSettings() throws Exception {
        secureOptions("");
    }

    @Test
    void secureWebSocketAsksNoClientCertificateWhenNodeLinksNeedOne() throws Exception {
        secureOptions(", ca-bundle: \"" + certificate.certificate() + "\", client-auth: need");
    }

    private void secureOptions(String tlsExtra) throws Exception {
        start("", "", tlsExtra);
        SslContext trusting = SslContextBuilder.forClient().trustManager(certificate.certificate().toFile()).build();
        WebSocketTestClient c = WebSocketTestClient.connect(URI.create("wss://127.0.0.1:" + wssPort() + "/"), "sip",
                null, trusting, true);
        clients.add(c);
        assertThat(c.upgrade().status()).isEqualTo(101);
        c.sendText(browserRequest("OPTIONS", "sip:127.0.0.1:" + wssPort(), "wss-options", "WSS"));
        assertThat(c.next(WAIT)).startsWith("SIP/2.0 200 OK\r\n")
                .contains("Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK-wss-options;received=127.0.0.1;rport="
                        + c.localPort() + "\r\n");
    }

    @Test
    void aBrowsersCallReachesAUdpNodeAndTheAnswerComesBackOverItsConnection() throws Exception {
        node = SipTestAgent.start().uas(UasBehavior.answer());
        start("", "nodes:\n  - { id: a, uri: \"sip:127.0.0.1:" + node.port() + "\" }\n");
        WebSocketTestClient c = sipClient();
        c.sendText(browserRequest("INVITE", "sip:1000@127.0.0.1:" + wsPort(), "ws-call", "WS"));

        assertThat(c.next("SIP/2.0 200", WAIT)).isNotNull();
        Received invite = node.awaitRequest("INVITE", WAIT);
        assertThat(invite.transport()).isEqualTo(Transport.UDP);
        List<String> vias = invite.headers("Via");
        assertThat(vias.get(1)).isEqualTo("SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-ws-call;received=127.0.0.1"
                + ";rport=" + c.localPort());
        assertThat(invite.source()).isEqualTo(new InetSocketAddress("127.0.0.1", router.boundAddresses().get(0)
                .getPort()));
    }
}
