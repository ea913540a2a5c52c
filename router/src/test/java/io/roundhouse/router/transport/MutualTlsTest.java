package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestCa;
import io.roundhouse.router.testing.TestCertificate;
import io.roundhouse.shared.config.ConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on node links (issue 14): a {@code tls:} listener that asks its clients for a certificate chaining to
 * {@code sip.tls.ca-bundle} ({@code client-auth: want | need}), and the router's client certificate presented to a
 * node that asks for one. The farm's CA, a stranger CA and their certificates are made by keytool in the test.
 */
@Timeout(60)
class MutualTlsTest {

    @TempDir
    static Path dir;
    private static TestCa farm;
    private static TestCa stranger;
    private static TestCertificate routerCert;
    private static TestCertificate nodeCert;
    private static TestCertificate strangerCert;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Router router;

    @BeforeAll
    static void makeCertificates() throws Exception {
        farm = TestCa.make(dir, "farm");
        stranger = TestCa.make(dir, "stranger");
        routerCert = farm.issue("router");
        nodeCert = farm.issue("node");
        strangerCert = stranger.issue("intruder");
    }

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
    }

    private void startListener(String clientAuth) {
        RouterConfig config = RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\", \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + routerCert.certificate() + "\", private-key: \""
                + routerCert.privateKey() + "\", ca-bundle: \"" + farm.bundle() + "\", client-auth: " + clientAuth
                + " }\n");
        router = Router.start(config, new StaticRoundRobinDispatcher(config.nodes()), registry);
    }

    private int tlsPort() {
        return router.boundAddresses().get(1).getPort();
    }

    /** OPTIONS to the router over TLS from a client with {@code context}: the final status line. */
    private String options(SSLContext context) throws IOException {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", tlsPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(TlsListenerTest.request("OPTIONS", "sip:127.0.0.1:" + tlsPort(), s, "mtls")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return TlsListenerTest.finalStatus(s.getInputStream());
        }
    }

    /** The client's handshake (TLS 1.2) or its first read (TLS 1.3: the server refuses after its Finished) fails. */
    private void assertRefused(SSLContext context) throws Exception {
        double before = failedHandshakes();
        assertThatThrownBy(() -> options(context)).isInstanceOf(IOException.class);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (failedHandshakes() == before && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(failedHandshakes()).isEqualTo(before + 1);
    }

    private double failedHandshakes() {
        return registry.get("sip.tls.handshakes.failed").functionCounter().count();
    }

    @Test
    void withClientAuthNeedANodeCertifiedByTheFarmCaIsServed() throws Exception {
        startListener("need");

        assertThat(options(farm.context(nodeCert))).isEqualTo("SIP/2.0 200 OK");
    }

    @Test
    void withClientAuthNeedAClientWithoutACertificateIsRefused() throws Exception {
        startListener("need");

        assertRefused(farm.context(null));
    }

    @Test
    void withClientAuthNeedACertificateFromAnotherCaIsRefused() throws Exception {
        startListener("need");

        assertRefused(farm.context(strangerCert));
    }

    @Test
    void withClientAuthWantAClientWithoutACertificateIsServedButABadCertificateIsRefused() throws Exception {
        startListener("want");

        assertThat(options(farm.context(null))).isEqualTo("SIP/2.0 200 OK");
        assertThat(options(farm.context(nodeCert))).isEqualTo("SIP/2.0 200 OK");
        assertRefused(farm.context(strangerCert));
    }

    @Test
    void theRouterPresentsItsClientCertificateToANodeThatRequiresOne() throws Exception {
        // The listener's certificate comes from another CA: the node sees the client-certificate, not it.
        TestCertificate clientCert = farm.issue("router-client");
        try (SSLServerSocket node = nodeRequiringClientCertificates()) {
            CompletableFuture<Certificate> presented = new CompletableFuture<>();
            CompletableFuture<String> invite = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) node.accept()) {
                    s.startHandshake();
                    presented.complete(s.getSession().getPeerCertificates()[0]);
                    return TlsTowardANodeTest.answerOneInvite(s, node.getLocalPort());
                } catch (IOException e) {
                    presented.completeExceptionally(e);
                    throw new IllegalStateException(e);
                }
            });
            RouterConfig config = RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\" ]\n"
                    + "  tls: { certificate: \"" + strangerCert.certificate() + "\", private-key: \""
                    + strangerCert.privateKey() + "\", ca-bundle: \"" + farm.bundle() + "\", client-certificate: \""
                    + clientCert.certificate() + "\", client-private-key: \"" + clientCert.privateKey() + "\" }\n"
                    + "nodes:\n  - { id: a, uri: \"sip:127.0.0.1:" + node.getLocalPort() + ";transport=tls\" }\n");
            router = Router.start(config);
            try (SipTestAgent caller = SipTestAgent.start()) {
                caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(),
                        new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);

                Received answer = caller.awaitFinal(Duration.ofSeconds(10));
                assertThat(answer.text()).startsWith("SIP/2.0 200 OK");
                assertThat(invite.get(10, TimeUnit.SECONDS)).startsWith("INVITE sip:");
                assertThat(presented.get(10, TimeUnit.SECONDS).getEncoded())
                        .isEqualTo(clientCert.keyStore().getCertificate("router").getEncoded());
            }
        }
    }

    @Test
    void aRouterWhoseClientCertificateTheNodeDoesNotTrustGetsNothingThrough() throws Exception {
        try (SSLServerSocket node = nodeRequiringClientCertificates()) {
            CompletableFuture<String> invite = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) node.accept()) {
                    return TlsTowardANodeTest.answerOneInvite(s, node.getLocalPort());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Presents certificate (from the stranger CA) as its client certificate: no client-certificate key.
            RouterConfig config = RouterConfig.parse("sip:\n  listen: [ \"udp:127.0.0.1:0\" ]\n"
                    + "  tls: { certificate: \"" + strangerCert.certificate() + "\", private-key: \""
                    + strangerCert.privateKey() + "\", ca-bundle: \"" + farm.bundle() + "\" }\n"
                    + "nodes:\n  - { id: a, uri: \"sip:127.0.0.1:" + node.getLocalPort() + ";transport=tls\" }\n");
            router = Router.start(config);
            try (SipTestAgent caller = SipTestAgent.start()) {
                caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(),
                        new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);

                assertThat(caller.awaitFinal(Duration.ofSeconds(15)).text()).startsWith("SIP/2.0 5");
                assertThat(invite).failsWithin(Duration.ofSeconds(10));
            }
        }
    }

    /** A node (the JDK's SSLServerSocket) presenting the farm's node certificate and requiring a client one. */
    private static SSLServerSocket nodeRequiringClientCertificates() throws Exception {
        SSLServerSocket node = (SSLServerSocket) farm.context(nodeCert).getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        node.setNeedClientAuth(true);
        return node;
    }

    @Test
    void clientAuthWithoutACaBundleIsRefused() {
        assertThatThrownBy(() -> RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + routerCert.certificate() + "\", private-key: \""
                + routerCert.privateKey() + "\", client-auth: need }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.tls.ca-bundle: missing with client-auth need");
    }

    @Test
    void anUnknownClientAuthIsRefused() {
        assertThatThrownBy(() -> RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + routerCert.certificate() + "\", private-key: \""
                + routerCert.privateKey() + "\", ca-bundle: \"" + farm.bundle() + "\", client-auth: required }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.tls.client-auth: required (expected: none, want or need)");
    }

    @Test
    void aClientCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> RouterConfig.parse("sip:\n  listen: [ \"tls:127.0.0.1:0\" ]\n"
                + "  tls: { certificate: \"" + routerCert.certificate() + "\", private-key: \""
                + routerCert.privateKey() + "\", client-certificate: \"" + nodeCert.certificate() + "\" }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("sip.tls.client-private-key: missing");
    }
}
