package io.roundhouse.router.transport;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.roundhouse.shared.config.ConfigException;
import javax.net.ssl.SSLException;

/**
 * The server and client TLS contexts built once from {@link TlsSettings}: a bad certificate or key is refused at start
 * with the key that names it.
 *
 * <p>Mutual TLS: the server context asks clients for a certificate chaining to {@code ca-bundle} when
 * {@code client-auth} is {@code want} or {@code need}; the client context always holds the router's client
 * certificate, which the JDK sends only when the peer asks for one (a CertificateRequest, RFC 8446 §4.3.2), so a node
 * that does not ask sees nothing new.
 *
 * @param server for {@code tls:} listeners
 * @param client for TLS connections the router opens
 */
record TlsContexts(SslContext server, SslContext client) {

    static TlsContexts of(TlsSettings settings) {
        SslContext server;
        try {
            SslContextBuilder b = SslContextBuilder.forServer(settings.certificate().toFile(),
                            settings.privateKey().toFile())
                    .sslProvider(SslProvider.JDK).protocols(TlsSettings.PROTOCOLS);
            if (settings.clientAuth() != TlsSettings.ClientAuth.NONE) {
                b.clientAuth(settings.clientAuth() == TlsSettings.ClientAuth.NEED ? ClientAuth.REQUIRE
                        : ClientAuth.OPTIONAL);
                trust(b, settings);
            }
            server = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("sip.tls.certificate", settings.certificate() + " and " + settings.privateKey()
                    + " do not make a usable key pair (" + e.getMessage() + "; expected: a PEM certificate chain and"
                    + " its PKCS#8 PEM private key)", e);
        }
        SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .protocols(TlsSettings.PROTOCOLS);
        try {
            b.keyManager(settings.clientCertificate().toFile(), settings.clientPrivateKey().toFile());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sip.tls.client-certificate", settings.clientCertificate() + " and "
                    + settings.clientPrivateKey() + " do not make a usable key pair (" + e.getMessage()
                    + "; expected: a PEM certificate chain and its PKCS#8 PEM private key)", e);
        }
        if (settings.caBundle() != null) {
            trust(b, settings);
        }
        try {
            return new TlsContexts(server, b.build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("sip.tls.client-certificate", settings.clientCertificate() + " and "
                    + settings.clientPrivateKey() + " do not make a usable key pair (" + e.getMessage() + ")", e);
        }
    }

    private static void trust(SslContextBuilder b, TlsSettings settings) {
        try {
            b.trustManager(settings.caBundle().toFile());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sip.tls.ca-bundle", settings.caBundle() + " is not a usable PEM bundle ("
                    + e.getMessage() + ")", e);
        }
    }
}
