package io.roundhouse.sim.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.sim.farm.Farm;
import io.roundhouse.sim.farm.SimulatedAsterisk;
import io.roundhouse.sim.sip.SipMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A simulated node answers as the captured Asterisk 22.10.1 behind asterisk-conf's dialplan, and its ARI drives the
 * call: the test plays the router (UDP) and the agent (ARI over the JDK's HTTP and WebSocket clients).
 */
@Timeout(30)
class SimulatedAsteriskTest {

    private static final String AUTH = "Basic " + Base64.getEncoder()
            .encodeToString("roundhouse:ari-test".getBytes(StandardCharsets.UTF_8));

    private Farm farm;
    private SimulatedAsterisk asterisk;
    private UdpPeer router;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        farm = new Farm(1);
        asterisk = farm.add(NodeSettings.loopback("asterisk-1", "ami-test", "ari-test"));
        router = new UdpPeer();
    }

    @AfterEach
    void stop() {
        router.close();
        farm.close();
    }

    @Test
    void callWithoutExecAppIsForbiddenWithCause21() {
        router.send(router.invite("1000", "c1", ""), asterisk.node().sipPort());

        SipMessage trying = router.receive();
        SipMessage answer = router.finalResponse();

        assertThat(trying.status()).isEqualTo(100);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.value("Reason")).isEqualTo("Q.850;cause=21");
        assertThat(answer.value("Server")).isEqualTo("Asterisk PBX 22.10.1");
    }

    @Test
    void callForAnApplicationNoWebSocketRegisteredIsCongestionSoTheRouterRedispatches() {
        router.send(router.invite("1000", "c2", "X-Exec-App: Conference\r\nX-Exec-App-Data: 1000\r\n"),
                asterisk.node().sipPort());

        SipMessage answer = router.finalResponse();

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.value("Reason")).isEqualTo("Q.850;cause=34");
    }

    @Test
    void requestUriMatchingNoExtensionIsNotFound() {
        router.send(router.invite("_x", "c3", "X-Exec-App: Conference\r\n"), asterisk.node().sipPort());

        assertThat(router.finalResponse().status()).isEqualTo(404);
    }

    @Test
    void oneLetterUserIsTheBeginningOfAnExtensionSoAddressIncomplete() {
        router.send(router.invite("x", "c3b", "X-Exec-App: Conference\r\n"), asterisk.node().sipPort());

        assertThat(router.finalResponse().status()).isEqualTo(484);
    }

    @Test
    void optionsAnswer200ForTheServerAnd404ForAnUnknownUser() {
        router.send(options(""), asterisk.node().sipPort());
        assertThat(router.finalResponse().status()).isEqualTo(200);

        router.send(options("x@"), asterisk.node().sipPort());
        assertThat(router.finalResponse().status()).isEqualTo(404);
    }

    @Test
    void registeredApplicationGetsStasisStartAndItsAnswerIs200WithTheRecordRouteCopied() throws Exception {
        WebSocket ws = connect("Conference");
        router.send(router.invite("conf-1000", "c4", "X-Exec-App: Conference\r\nX-Exec-App-Data: 1000\r\n"
                + "X-Exec-App-Placement: example.com:1000\r\n"), asterisk.node().sipPort());
        await().atMost(Duration.ofSeconds(5)).until(() -> !events.isEmpty());
        String channelId = asterisk.node().channels().get(0).id();

        assertThat(events.get(0)).contains("\"type\":\"StasisStart\"")
                .contains("\"args\":[\"1000\",\"placement=example.com:1000\"]");
        assertThat(post("/ari/channels/" + channelId + "/answer").statusCode()).isEqualTo(204);
        SipMessage ok = router.finalResponse();
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.values("Record-Route")).containsExactly("<sip:127.0.0.1:" + router.port() + ";lr>");
        assertThat(ok.body()).contains("s=Asterisk");
        ws.abort();
    }

    @Test
    void congestionHangupBeforeAnswerIs503WithCause34AndEndsTheStasisCall() throws Exception {
        WebSocket ws = connect("Conference");
        router.send(router.invite("2000", "c5", "X-Exec-App: Conference\r\nX-Exec-App-Data: 2000\r\n"),
                asterisk.node().sipPort());
        await().atMost(Duration.ofSeconds(5)).until(() -> !asterisk.node().channels().isEmpty());
        String channelId = asterisk.node().channels().get(0).id();

        HttpResponse<String> deleted = send(HttpRequest.newBuilder(ari("/ari/channels/" + channelId
                + "?reason=congestion")).header("Authorization", AUTH).DELETE().build());

        assertThat(deleted.statusCode()).isEqualTo(204);
        SipMessage answer = router.finalResponse();
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.value("Reason")).isEqualTo("Q.850;cause=34");
        await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e -> e.contains("\"StasisEnd\"")));
        assertThat(asterisk.node().channels()).isEmpty();
        ws.abort();
    }

    @Test
    void bridgedCallerByeLeavesTheBridgeWhichLastsUntilDeleted() throws Exception {
        WebSocket ws = connect("Conference");
        router.send(router.invite("conf-7", "c6", "X-Exec-App: Conference\r\nX-Exec-App-Data: 7\r\n"),
                asterisk.node().sipPort());
        await().atMost(Duration.ofSeconds(5)).until(() -> !asterisk.node().channels().isEmpty());
        String channelId = asterisk.node().channels().get(0).id();
        post("/ari/channels/" + channelId + "/answer");
        SipMessage ok = router.finalResponse();
        assertThat(post("/ari/bridges?type=mixing&name=conf-7&bridgeId=conf-7").statusCode()).isEqualTo(200);
        assertThat(post("/ari/bridges?type=mixing&name=conf-7&bridgeId=conf-7").statusCode()).isEqualTo(409);
        assertThat(post("/ari/bridges/conf-7/addChannel?channel=" + channelId).statusCode()).isEqualTo(204);
        assertThat(asterisk.node().view().rooms()).containsOnlyKeys("conf-7");

        router.send(router.inDialog("ACK", 1, "conf-7", "c6", ok.tag("To")), asterisk.node().sipPort());
        router.send(router.inDialog("BYE", 2, "conf-7", "c6", ok.tag("To")), asterisk.node().sipPort());

        assertThat(router.finalResponse().status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> events.stream().anyMatch(e -> e.contains("\"StasisEnd\"")));
        assertThat(events).anyMatch(e -> e.contains("\"ChannelLeftBridge\""));
        assertThat(asterisk.node().bridge("conf-7")).isPresent();
        assertThat(send(HttpRequest.newBuilder(ari("/ari/bridges/conf-7")).header("Authorization", AUTH).DELETE()
                .build()).statusCode()).isEqualTo(204);
        assertThat(asterisk.node().bridges()).isEmpty();
        ws.abort();
    }

    @Test
    void nodeOverItsCapacityAnswersAsAsterisksMaxcallsDoes() throws Exception {
        SimulatedAsterisk small = farm.add(NodeSettings.loopback("asterisk-2", "ami-test", "ari-test").withCapacity(1));
        small.node().registrations(app -> true);
        router.send(router.invite("1000", "k1", "X-Exec-App: Echo\r\n"), small.node().sipPort());
        await().atMost(Duration.ofSeconds(5)).until(() -> small.node().channels().size() == 1);

        router.send(router.invite("1001", "k2", "X-Exec-App: Echo\r\n"), small.node().sipPort());

        SipMessage answer = router.finalResponse();
        assertThat(answer.value("Call-ID")).isEqualTo("k2");
        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.value("Reason")).isEqualTo("Q.850;cause=42");
    }

    @Test
    void answeredCallIsEndedByTheNodeAfterItsHoldTimeWithAByeAlongTheRecordRoute() throws Exception {
        SimulatedAsterisk holding = farm.add(NodeSettings.loopback("asterisk-3", "ami-test", "ari-test")
                .withHold(Duration.ofMillis(300)));
        holding.node().registrations(app -> true);
        router.send(router.invite("2000", "h1", "X-Exec-App: Echo\r\n"), holding.node().sipPort());
        await().atMost(Duration.ofSeconds(5)).until(() -> holding.node().channels().size() == 1);
        holding.node().answer(holding.node().channels().get(0).id());
        SipMessage ok = router.finalResponse();

        router.send(router.inDialog("ACK", 1, "2000", "h1", ok.tag("To")), holding.node().sipPort());
        SipMessage bye = router.receive();

        assertThat(bye.method()).isEqualTo("BYE");
        assertThat(bye.requestUri()).isEqualTo("sip:caller@127.0.0.1:" + router.port());
        assertThat(bye.values("Route")).containsExactly("<sip:127.0.0.1:" + router.port() + ";lr>");
        assertThat(bye.tag("From")).isEqualTo(ok.tag("To"));
        assertThat(holding.node().channels()).isEmpty();
    }

    @Test
    void slowNodeSendsTryingAtOnceAndItsAnswerAfterItsLatency() {
        SimulatedAsterisk slow = farm.add(NodeSettings.loopback("asterisk-4", "ami-test", "ari-test")
                .withLatency(Duration.ofMillis(400)));
        long sent = System.nanoTime();
        router.send(router.invite("1000", "l1", ""), slow.node().sipPort());

        SipMessage trying = router.receive();
        long tryingAfter = (System.nanoTime() - sent) / 1_000_000;
        SipMessage answer = router.finalResponse();
        long answerAfter = (System.nanoTime() - sent) / 1_000_000;

        assertThat(trying.status()).isEqualTo(100);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answerAfter).isGreaterThanOrEqualTo(400).isGreaterThan(tryingAfter);
    }

    @Test
    void requestOverTcpIsAnsweredOnItsConnection() throws Exception {
        try (java.net.Socket tcp = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                asterisk.node().sipPort())) {
            tcp.setSoTimeout(5_000);
            String invite = router.invite("1000", "t1", "").replace("SIP/2.0/UDP", "SIP/2.0/TCP");
            tcp.getOutputStream().write(("\r\n\r\n" + invite).getBytes(StandardCharsets.UTF_8));
            tcp.getOutputStream().flush();

            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(tcp.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("SIP/2.0 100 Trying");
            String line;
            while (!(line = in.readLine()).isEmpty()) {
                assertThat(line).isNotNull();
            }
            assertThat(in.readLine()).isEqualTo("SIP/2.0 403 Forbidden");
        }
    }

    @Test
    void wrongPasswordIsRefusedWithAsterisks401() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(ari("/ari/channels"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("roundhouse:x".getBytes()))
                .GET().build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Asterisk REST Interface\"");
    }

    private String options(String user) {
        return "OPTIONS sip:" + user + "127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + router.port() + ";branch=z9hG4bK-opt-" + user.length() + ";rport\r\n"
                + "From: <sip:router@127.0.0.1>;tag=o1\r\nTo: <sip:" + user + "127.0.0.1>\r\n"
                + "Call-ID: opt-" + user.length() + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private WebSocket connect(String apps) {
        WebSocket ws = http.newWebSocketBuilder().header("Authorization", AUTH)
                .buildAsync(URI.create("ws://127.0.0.1:" + asterisk.ari().port() + "/ari/events?app=" + apps),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                events.add(data.toString());
                                webSocket.request(1);
                                return null;
                            }
                        }).join();
        await().atMost(Duration.ofSeconds(5)).until(() -> asterisk.ari().registered(apps));
        return ws;
    }

    private HttpResponse<String> post(String path) throws Exception {
        return send(HttpRequest.newBuilder(ari(path)).header("Authorization", AUTH)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private URI ari(String path) {
        return URI.create("http://127.0.0.1:" + asterisk.ari().port() + path);
    }
}
