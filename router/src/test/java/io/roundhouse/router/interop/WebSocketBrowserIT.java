package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.TestCertificate;
import io.roundhouse.router.testing.sipp.SippMessageLog;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Real browsers in a conference room (issue 14): Debian's chromium, driven by its own chromedriver, runs SIP.js from
 * the npm registry (installed by {@code .ci/run} into {@code src/test/browser}; nothing is downloaded here) and calls
 * {@code conf-1000} through the router's {@code wss:} listener; a sipp phone then calls the same room over UDP, and a
 * second browser (another tab, its own connection) too. All must land on the same sipp node (the room's placement in
 * Redis); the node must see the browser's INVITE with {@code X-Exec-App}, its ACK and, when the browser hangs up, its
 * BYE; the node's own BYE must reach the second browser over its connection (flow by connection). Media is out of
 * scope: fake devices, no ICE.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebSocketBrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** The sip.js package as {@code npm ci} puts it, relative to the router module (where tests run). */
    static final Path SIPJS = Path.of("src/test/browser/node_modules/sip.js/lib");
    static final Duration BOUND = Duration.ofSeconds(120);
    static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @TempDir
    Path dir;

    /**
     * Skipped where the browser or SIP.js is missing (a machine with only a JDK and sipp); in CI ({@code CI} set, as
     * {@code .ci/run} runs) a missing piece fails the test instead, so that it cannot be skipped silently there.
     */
    @BeforeAll
    static void needsBrowserAndSipJs() {
        String missing = !Files.isExecutable(CHROMIUM) ? CHROMIUM + " (apt-get install chromium)"
                : !Files.isExecutable(CHROMEDRIVER) ? CHROMEDRIVER + " (apt-get install chromium-driver)"
                : !Files.isRegularFile(SIPJS.resolve("index.js")) ? SIPJS + " (npm ci --prefix router/src/test/browser)"
                : null;
        if (System.getenv("CI") != null) {
            assertThat(missing).as("missing in CI").isNull();
        }
        Assumptions.assumeTrue(missing == null, () -> "browser test skipped: missing " + missing);
    }

    static NodeState node(String id, SippProcess sipp, int channels) {
        return new NodeState(id, "sip:127.0.0.1:" + sipp.localPort(), NodeStatus.ACTIVE, channels, 100, 0, Map.of(),
                Set.of("Conference"), Set.of("Conference"), "22.10.1", "sipp", System.currentTimeMillis());
    }

    static List<SippMessageLog.Entry> requests(SippProcess sipp, String method, String callId) {
        return sipp.messages().receivedRequests(method).stream()
                .filter(e -> e.headerLines("Call-ID").contains(callId)).toList();
    }

    /** Whether {@code sipp} received a 200 to a BYE of its own in the call {@code callId}. */
    static boolean byeAnswered(SippProcess sipp, String callId) {
        return sipp.messages().entries().stream().anyMatch(e -> e.received() && e.startLine().startsWith("SIP/2.0 200")
                && e.headerLines("Call-ID").contains(callId) && e.headerLines("CSeq").stream()
                        .anyMatch(c -> c.endsWith("BYE")));
    }

    static List<String> inviteCallIds(SippProcess sipp) {
        return sipp.messages().receivedRequests("INVITE").stream().map(e -> e.headerLines("Call-ID").get(0))
                .distinct().toList();
    }

    @Test
    void browsersOverWssAndASippPhoneOverUdpJoinOneRoomOnOneNode() throws Exception {
        TestCertificate certificate = TestCertificate.make(dir);
        RedisState state = redis.open();
        try (SippProcess first = SippProcess.scenario("uas_webrtc.xml").calls(100).maxDuration(BOUND)
                .traceMessages().start();
             SippProcess second = SippProcess.scenario("uas_webrtc.xml").calls(100).maxDuration(BOUND)
                     .traceMessages().start()) {
            state.nodes().publish(node("asterisk-1", first, 0), Duration.ofMinutes(2));
            state.nodes().publish(node("asterisk-2", second, 10), Duration.ofMinutes(2));
            RouterConfig cfg = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:127.0.0.1:0", "wss:127.0.0.1:0" ]
                      tls: { certificate: "%s", private-key: "%s" }
                      flood: { exempt: [ "127.0.0.1" ] }
                    nodes: [ { id: asterisk-1 }, { id: asterisk-2 } ]
                    services:
                      - name: conference
                        match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                        app: Conference
                        app-data: "${room}"
                        affinity: "${ruri-host}:${room}"
                        strategy: least-loaded
                    dispatch: { refresh-interval: 200ms }
                    """.formatted(certificate.certificate(), certificate.privateKey()));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            HttpServer pages = servePageAndSipJs();
            try (DispatchSetup dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
                 Router router = Router.start(cfg, dispatch.dispatcher(), registry)) {
                await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 2);
                int wss = router.boundAddresses().get(1).getPort();
                ChromeDriver browser = chromium(dir.resolve("profile"));
                try {
                    JavascriptExecutor js = browser;
                    String page = "http://127.0.0.1:" + pages.getAddress().getPort() + "/?server=wss://127.0.0.1:" + wss
                            + "&target=sip:conf-1000@127.0.0.1";
                    browser.get(page);
                    awaitPage(js, "connected");
                    js.executeScript("window.roundhouse.call()");
                    awaitPage(js, "call Established");
                    String callId = (String) js.executeScript("return window.roundhouse.callId");

                    String owner = state.placements().lookup("127.0.0.1:1000").orElseThrow();
                    SippProcess room = owner.equals("asterisk-1") ? first : second;
                    SippProcess other = room == first ? second : first;
                    SippMessageLog.Entry invite = requests(room, "INVITE", callId).get(0);
                    assertThat(invite.headerLines("X-Exec-App")).containsExactly("Conference");
                    assertThat(invite.headerLines("Via").get(1)).startsWith("SIP/2.0/WSS ").contains(".invalid;");
                    await().atMost(WAIT).until(() -> !requests(room, "ACK", callId).isEmpty());

                    // Now the other node looks far lighter: only the room's placement can keep the phone with the
                    // browser.
                    state.nodes().publish(node(owner, room, 90), Duration.ofMinutes(2));
                    state.nodes().publish(node(owner.equals("asterisk-1") ? "asterisk-2" : "asterisk-1", other, 0),
                            Duration.ofMinutes(2));
                    await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().stream()
                            .anyMatch(n -> n.id().equals(owner) && n.agent().map(NodeState::channels).orElse(0) == 90));
                    try (SippProcess phone = SippProcess.scenario("uac.xml")
                            .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(1)
                            .callDuration(Duration.ofMillis(500)).maxDuration(BOUND).extraArgs("-s", "conf-1000")
                            .start()) {
                        SippResult result = phone.awaitExit();
                        assertThat(result.successfulCalls()).as("%s", result).isEqualTo(1);
                    }
                    assertThat(inviteCallIds(room)).as("the browser's and the phone's call on the room's node")
                            .hasSize(2).contains(callId);
                    assertThat(inviteCallIds(other)).isEmpty();

                    // A second browser, in another tab with a connection of its own, joins; the room's node ends
                    // that call itself: its BYE goes to a .invalid Contact and must find the tab's connection.
                    String firstTab = browser.getWindowHandle();
                    browser.switchTo().newWindow(WindowType.TAB);
                    browser.get(page);
                    awaitPage(js, "connected");
                    js.executeScript("window.roundhouse.call(['X-Roundhouse-Test: node-hangs-up'])");
                    awaitPage(js, "call Established");
                    String secondCallId = (String) js.executeScript("return window.roundhouse.callId");
                    assertThat(inviteCallIds(room)).as("two browsers and a phone on the room's node").hasSize(3)
                            .contains(secondCallId);
                    awaitPage(js, "call Terminated");
                    await().atMost(WAIT).until(() -> byeAnswered(room, secondCallId));

                    browser.switchTo().window(firstTab);
                    js.executeScript("window.roundhouse.hangUp()");
                    awaitPage(js, "call Terminated");
                    await().atMost(WAIT).until(() -> !requests(room, "BYE", callId).isEmpty());
                    assertThat(inviteCallIds(other)).isEmpty();
                } finally {
                    browser.quit();
                }
            } finally {
                pages.stop(0);
            }
            first.stop();
            second.stop();
        }
    }

    private static void awaitPage(JavascriptExecutor js, String wanted) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(
                js.executeScript("return window.roundhouse ? window.roundhouse.log.join(' | ') : 'no page'"))
                .asString().contains(wanted));
    }

    /** Chromium from Debian with its chromedriver, both by explicit path, so Selenium Manager never runs. */
    static ChromeDriver chromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toString());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--disable-quic",
                // A microphone without a person to allow it, and a router certificate made by the test.
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--ignore-certificate-errors",
                "--user-data-dir=" + profile.toAbsolutePath());
        return new ChromeDriver(service, options);
    }

    /** The call page (a test resource) at {@code /}, SIP.js's ES modules under {@code /sip.js/}; loopback only. */
    static HttpServer servePageAndSipJs() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        Path lib = SIPJS.toAbsolutePath().normalize();
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/")) {
                try (InputStream page = WebSocketBrowserIT.class.getResourceAsStream("/browser/sipjs-call.html")) {
                    reply(exchange, 200, "text/html; charset=utf-8", page.readAllBytes());
                }
                return;
            }
            if (path.startsWith("/sip.js/")) {
                Path file = lib.resolve(path.substring("/sip.js/".length())).normalize();
                if (file.startsWith(lib) && Files.isRegularFile(file)) {
                    reply(exchange, 200, "text/javascript; charset=utf-8", Files.readAllBytes(file));
                    return;
                }
            }
            reply(exchange, 404, "text/plain", new byte[0]);
        });
        server.start();
        return server;
    }

    private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
