package io.roundhouse.router.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.roundhouse.shared.config.ConfigException;
import javax.net.ssl.SSLException;

/**
 * The server and client TLS contexts built once from {@link TlsSettings}: a bad certificate or key is refused at start
 * with the key that names it.
 *
 * @param server for {@code tls:} listeners
 * @param client for TLS connections the router opens
 */
record TlsContexts(SslContext server, SslContext client) {

    static TlsContexts of(TlsSettings settings) {
        SslContext server;
        try {
            server = SslContextBuilder.forServer(settings.certificate().toFile(), settings.privateKey().toFile())
                    .sslProvider(SslProvider.JDK).protocols(TlsSettings.PROTOCOLS).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("sip.tls.certificate", settings.certificate() + " and " + settings.privateKey()
                    + " do not make a usable key pair (" + e.getMessage() + "; expected: a PEM certificate chain and"
                    + " its PKCS#8 PEM private key)", e);
        }
        SslContext client;
        try {
            SslContextBuilder b = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .protocols(TlsSettings.PROTOCOLS);
            if (settings.caBundle() != null) {
                b.trustManager(settings.caBundle().toFile());
            }
            client = b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("sip.tls.ca-bundle", settings.caBundle() + " is not a usable PEM bundle ("
                    + e.getMessage() + ")", e);
        }
        return new TlsContexts(server, client);
    }
}
