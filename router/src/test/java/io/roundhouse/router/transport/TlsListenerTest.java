package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestCertificate;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.shared.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls:} listeners (issue 14, RFC 3261 §26.2) with a certificate made by the JDK's keytool in the test (no key
 * is committed), and the JDK's SSLSocket as the client.
 */
@Timeout(60)
class TlsListenerTest {

    @TempDir
    static Path dir;
    private static Path certificate;
    private static Path privateKey;
    private static SSLContext clientTrustingTheRouter;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Router router;
    private SipTestAgent node;

    @BeforeAll
    static void makeCertificate() throws Exception {
        TestCertificate made = TestCertificate.make(dir);
        certificate = made.certificate();
        privateKey = made.privateKey();
        clientTrustingTheRouter = made.trustingIt();
    }

    private static String tlsSection(String extra) {
        return "  tls: { certificate: \"" + certificate + "\", private-key: \"" + privateKey + "\"" + extra + " }\n";
    }

    private void start(String nodes) {
        start(nodes, "");
    }

    /** @param tlsExtra more {@code sip.tls} keys; a short handshake timeout only where it is tested (load slows it) */
    private void start(String nodes, String tlsExtra) {
        RouterConfig config = RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\", \"tls:127.0.0.1:0\" ]\n"
                + tlsSection(tlsExtra) + nodes);
        router = Router.start(config, new StaticRoundRobinDispatcher(config.nodes()), registry);
    }

    private int tlsPort() {
        return router.boundAddresses().get(1).getPort();
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        if (node != null) {
            node.close();
        }
    }

    private SSLSocket tlsClient() throws IOException {
        SSLSocket s = (SSLSocket) clientTrustingTheRouter.getSocketFactory().createSocket("127.0.0.1", tlsPort());
        s.setSoTimeout(5000);
        return s;
    }

    static String request(String method, String uri, Socket s, String callId) {
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK-" + callId + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <" + uri + ">\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + s.getLocalPort() + ";transport=tls>\r\nContent-Length: 0\r\n\r\n";
    }

    /** The status line of the first final response read (provisionals skipped). */
    static String finalStatus(InputStream in) throws IOException {
        String head = finalResponse(in);
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** The first final response read (provisionals skipped): its status line and headers, each ending in CRLF. */
    static String finalResponse(InputStream in) throws IOException {
        while (true) {
            StringBuilder head = new StringBuilder();
            int length = 0;
            String line;
            while (!(line = readLine(in)).isEmpty()) {
                head.append(line).append("\r\n");
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            if (!head.toString().matches("(?s)SIP/2.0 1\\d\\d .*")) {
                return head.toString();
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("closed after '" + b + "'");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Test
    void optionsToTheRouterOverTlsIsAnswered() throws Exception {
        start("");
        try (SSLSocket s = tlsClient()) {
            s.getOutputStream().write(request("OPTIONS", "sip:127.0.0.1:" + tlsPort(), s, "tls-options")
                    .getBytes(StandardCharsets.US_ASCII));

            assertThat(finalStatus(s.getInputStream())).isEqualTo("SIP/2.0 200 OK");
            assertThat(s.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void aCallerOverTlsReachesAUdpNodeWithTheRouterOnTheRoute() throws Exception {
        node = SipTestAgent.start().uas(UasBehavior.answer());
        start("nodes:\n  - { id: a, uri: \"sip:127.0.0.1:" + node.port() + "\" }\n");
        try (SSLSocket s = tlsClient()) {
            OutputStream out = s.getOutputStream();
            out.write(request("INVITE", "sip:1000@127.0.0.1:" + tlsPort(), s, "tls-call")
                    .getBytes(StandardCharsets.US_ASCII));

            assertThat(finalStatus(s.getInputStream())).isEqualTo("SIP/2.0 200 OK");
            String invite = node.awaitRequest("INVITE", Duration.ofSeconds(5)).text();
            assertThat(invite).contains("Via: SIP/2.0/TLS 127.0.0.1:" + s.getLocalPort())
                    .contains("transport=tls");
        }
    }

    @Test
    void aFailedHandshakeIsCountedAndTheConnectionClosed() throws Exception {
        start("");
        for (int i = 0; i < 3; i++) {
            try (Socket plain = new Socket("127.0.0.1", tlsPort())) {
                plain.setSoTimeout(5000);
                plain.getOutputStream().write(request("OPTIONS", "sip:127.0.0.1", plain, "plain-" + i)
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(plain.getInputStream().read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // closed with a reset: closed all the same
            }
        }

        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (registry.get("sip.tls.handshakes.failed").functionCounter().count() < 3 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(registry.get("sip.tls.handshakes.failed").functionCounter().count()).isEqualTo(3.0);
    }

    @Test
    void aConnectionThatNeverHandshakesIsClosedAfterTheHandshakeTimeout() throws Exception {
        start("", ", handshake-timeout: 500ms");
        try (Socket silent = new Socket("127.0.0.1", tlsPort())) {
            silent.setSoTimeout(5000);
            long start = System.nanoTime();
            try {
                assertThat(silent.getInputStream().read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // closed with a reset: closed all the same
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(300L, 3000L);
        }
    }

    @Test
    void aRenewedCertificateIsUsedAfterAReloadWithoutARestart(@TempDir Path renewedDir) throws Exception {
        Path cert = renewedDir.resolve("live.crt");
        Path key = renewedDir.resolve("live.key");
        Files.copy(certificate, cert);
        Files.copy(privateKey, key);
        router = Router.start(RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + cert + "\", private-key: \"" + key + "\" }\n"));
        Path newDir = Files.createDirectories(renewedDir.resolve("new"));
        TestCertificate renewed = TestCertificate.make(newDir);
        Files.copy(renewed.certificate(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.privateKey(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        router.reloadTls();

        try (SSLSocket s = (SSLSocket) renewed.trustingIt().getSocketFactory().createSocket("127.0.0.1",
                router.port())) {
            s.startHandshake();
            assertThat(s.getSession().getPeerCertificates()[0].getEncoded())
                    .isEqualTo(renewed.keyStore().getCertificate("router").getEncoded());
        }
    }

    @Test
    void aBrokenCertificateOnReloadIsRefusedAndTheRunningOneKept(@TempDir Path renewedDir) throws Exception {
        Path cert = renewedDir.resolve("live.crt");
        Path key = renewedDir.resolve("live.key");
        Files.copy(certificate, cert);
        Files.copy(privateKey, key);
        router = Router.start(RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + cert + "\", private-key: \"" + key + "\" }\n"));
        Files.writeString(cert, "not a certificate");

        assertThatThrownBy(router::reloadTls).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.tls.certificate:");
        try (SSLSocket s = (SSLSocket) clientTrustingTheRouter.getSocketFactory().createSocket("127.0.0.1",
                router.port())) {
            s.startHandshake();
            assertThat(s.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void aTlsListenerWithoutCertificateIsRefused() {
        assertThatThrownBy(() -> RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("sip.tls: missing for listen address");
    }

    @Test
    void aPrivateKeyOthersCanReadIsRefused() throws Exception {
        Path open = dir.resolve("open.key");
        Files.copy(privateKey, open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + certificate + "\", private-key: \"" + open + "\" }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.tls.private-key: " + open + " is readable by group or others");
    }
}
