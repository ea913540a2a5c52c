package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestCertificate;
import io.roundhouse.router.testing.UasBehavior;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sips:} Request-URIs through the router (RFC 5630): over TLS on every hop, the node's included, with a
 * {@code sips:} Record-Route (RFC 3261 §16.6 item 4); never downgraded: a node reached over UDP, or a {@code sips:}
 * request that came over UDP, gets 480 with warn-code 380 "SIPS Not Allowed".
 */
@Timeout(60)
class SipsTest {

    @TempDir
    static Path dir;
    private static TestCertificate cert;

    private Router router;
    private SipTestAgent udpNode;

    @BeforeAll
    static void makeCertificate() throws Exception {
        cert = TestCertificate.make(dir);
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        if (udpNode != null) {
            udpNode.close();
        }
    }

    private void start(String nodeUri) {
        router = Router.start(RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\", \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + cert.certificate() + "\", private-key: \"" + cert.privateKey()
                + "\", ca-bundle: \"" + cert.certificate() + "\" }\n"
                + "nodes:\n  - { id: a, uri: \"" + nodeUri + "\" }\n"));
    }

    private int tlsPort() {
        return router.boundAddresses().get(1).getPort();
    }

    /** An INVITE to {@code uri} from a TLS caller: the whole final response. */
    private String inviteOverTls(String uri) throws Exception {
        try (SSLSocket s = (SSLSocket) cert.trustingIt().getSocketFactory().createSocket("127.0.0.1", tlsPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(TlsListenerTest.request("INVITE", uri, s, "sips-" + System.nanoTime())
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return TlsListenerTest.finalResponse(s.getInputStream());
        }
    }

    @Test
    void aSipsCallReachesANodeOverTlsWithASipsRecordRoute() throws Exception {
        try (SSLServerSocket node = (SSLServerSocket) cert.presentingIt().getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<String> invite = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) node.accept()) {
                    return TlsTowardANodeTest.answerOneInvite(s, node.getLocalPort());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            start("sip:127.0.0.1:" + node.getLocalPort() + ";transport=tls");

            assertThat(inviteOverTls("sips:1000@127.0.0.1:" + tlsPort())).startsWith("SIP/2.0 200 OK");
            String atNode = invite.get(10, TimeUnit.SECONDS);
            assertThat(atNode).startsWith("INVITE sips:1000@127.0.0.1:" + tlsPort() + " SIP/2.0")
                    .contains("Via: SIP/2.0/TLS ")
                    .containsPattern("Record-Route: <sips:127\\.0\\.0\\.1:" + tlsPort() + ";lr;")
                    .doesNotContain("Record-Route: <sip:");
        }
    }

    @Test
    void aSipsCallIsNotDowngradedToANodeReachedOverUdp() throws Exception {
        udpNode = SipTestAgent.start().uas(UasBehavior.answer());
        start("sip:127.0.0.1:" + udpNode.port());

        String answer = inviteOverTls("sips:1000@127.0.0.1:" + tlsPort());

        assertThat(answer).startsWith("SIP/2.0 480 Temporarily Unavailable")
                .containsPattern("Warning: 380 \\S+ \"SIPS Not Allowed\"");
        // The refusal is the router's own, at once; a node that got the INVITE would have answered 200 by now.
        assertThat(udpNode.received()).isEmpty();
    }

    @Test
    void aSipsRequestThatCameOverUdpIsNotForwarded() throws Exception {
        udpNode = SipTestAgent.start().uas(UasBehavior.answer());
        start("sip:127.0.0.1:" + udpNode.port());
        try (SipTestAgent caller = SipTestAgent.start()) {
            caller.send(caller.request("INVITE", "sips:1000@127.0.0.1:" + tlsPort()).build(),
                    new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);

            Received answer = caller.awaitFinal(Duration.ofSeconds(10));
            assertThat(answer.text()).startsWith("SIP/2.0 480 Temporarily Unavailable")
                    .containsPattern("Warning: 380 \\S+ \"SIPS Not Allowed\"");
        }
        assertThat(udpNode.received()).isEmpty();
    }
}
