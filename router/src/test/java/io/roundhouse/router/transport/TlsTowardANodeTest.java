package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node reached over TLS ({@code sip:...;transport=tls}): the router opens the connection, checks the node's
 * certificate against {@code sip.tls.ca-bundle} and its name, and forwards the caller's INVITE over it.
 */
@Timeout(30)
class TlsTowardANodeTest {

    @TempDir
    Path dir;

    @Test
    void aUdpCallerReachesANodeOverTlsAndGetsItsAnswer() throws Exception {
        TestCertificate cert = TestCertificate.make(dir);
        try (SSLServerSocket node = (SSLServerSocket) cert.presentingIt().getServerSocketFactory()
                .createServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<String> invite = CompletableFuture.supplyAsync(() -> answerOneInvite(node));
            RouterConfig config = RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\", \"tls:127.0.0.1:0\" ]\n"
                    + "  tls: { certificate: \"" + cert.certificate() + "\", private-key: \"" + cert.privateKey()
                    + "\", ca-bundle: \"" + cert.certificate() + "\" }\n"
                    + "nodes:\n  - { id: a, uri: \"sip:127.0.0.1:" + node.getLocalPort() + ";transport=tls\" }\n");
            try (Router router = Router.start(config); SipTestAgent caller = SipTestAgent.start()) {
                String request = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build();
                caller.send(request, new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);

                Received answer = caller.awaitFinal(Duration.ofSeconds(10));
                assertThat(answer.text()).startsWith("SIP/2.0 200 OK");
                assertThat(invite.get(10, TimeUnit.SECONDS)).startsWith("INVITE sip:").contains("Via: SIP/2.0/TLS ");
            }
        }
    }

    @Test
    void aNodeWhoseCertificateIsNotTrustedGetsNothing() throws Exception {
        TestCertificate nodeCert = TestCertificate.make(dir);
        Path other = dir.resolve("other");
        java.nio.file.Files.createDirectories(other);
        TestCertificate trusted = TestCertificate.make(other);
        try (SSLServerSocket node = (SSLServerSocket) nodeCert.presentingIt().getServerSocketFactory()
                .createServerSocket(0, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<String> invite = CompletableFuture.supplyAsync(() -> answerOneInvite(node));
            RouterConfig config = RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\", \"tls:127.0.0.1:0\" ]\n"
                    + "  tls: { certificate: \"" + trusted.certificate() + "\", private-key: \""
                    + trusted.privateKey() + "\", ca-bundle: \"" + trusted.certificate() + "\" }\n"
                    + "nodes:\n  - { id: a, uri: \"sip:127.0.0.1:" + node.getLocalPort() + ";transport=tls\" }\n");
            try (Router router = Router.start(config); SipTestAgent caller = SipTestAgent.start()) {
                String request = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build();
                caller.send(request, new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);

                assertThat(caller.awaitFinal(Duration.ofSeconds(15)).text()).startsWith("SIP/2.0 5");
                assertThat(invite).failsWithin(Duration.ofSeconds(10));
            }
        }
    }

    /** Accepts one TLS connection, reads an INVITE and answers 200 with its Vias, dialog headers and a To tag. */
    private static String answerOneInvite(SSLServerSocket server) {
        try (SSLSocket s = (SSLSocket) server.accept()) {
            return answerOneInvite(s, server.getLocalPort());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads an INVITE on an accepted connection and answers it as {@link #answerOneInvite(SSLServerSocket)}. */
    static String answerOneInvite(SSLSocket s, int port) {
        try {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            List<String> lines = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("closed before a whole INVITE");
                }
                if (c == '\n') {
                    if (line.length() == 0) {
                        break;
                    }
                    lines.add(line.toString());
                    line.setLength(0);
                } else if (c != '\r') {
                    line.append((char) c);
                }
            }
            StringBuilder answer = new StringBuilder("SIP/2.0 200 OK\r\n");
            for (String l : lines) {
                String name = l.substring(0, Math.max(0, l.indexOf(':'))).trim().toLowerCase();
                switch (name) {
                    case "via", "from", "call-id", "cseq", "record-route" -> answer.append(l).append("\r\n");
                    case "to" -> answer.append(l).append(";tag=node").append("\r\n");
                    default -> {
                    }
                }
            }
            answer.append("Contact: <sip:node@127.0.0.1:").append(port)
                    .append(";transport=tls>\r\nContent-Length: 0\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(answer.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Keep the connection for the ACK a moment, as a node would.
            Thread.sleep(500);
            return String.join("\r\n", lines);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
