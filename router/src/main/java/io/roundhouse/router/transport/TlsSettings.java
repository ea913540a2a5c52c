package io.roundhouse.router.transport;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.shared.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * TLS of the {@code tls:} listeners and of connections the router opens with TLS ({@code sip.tls}; RFC 3261 §26.2).
 * TLS 1.2 and 1.3 only, with the JDK's default cipher suites.
 *
 * <pre>
 * sip:
 *   listen: [ "tls:0.0.0.0:5061" ]
 *   tls:
 *     certificate: /etc/roundhouse/tls/router.crt   # PEM, the chain from the router's certificate up
 *     private-key: /etc/roundhouse/tls/router.key   # PEM (PKCS#8); readable by the owner only
 *     ca-bundle: /etc/roundhouse/tls/peers.pem      # optional: whom to trust (default: the JDK's)
 *     client-auth: none                             # none | want | need: certificates asked of TLS clients
 *     client-certificate: /etc/roundhouse/tls/router-client.crt  # optional (default: certificate)
 *     client-private-key: /etc/roundhouse/tls/router-client.key  # optional (default: private-key)
 *     handshake-timeout: 10s
 * </pre>
 *
 * @param certificate       PEM certificate chain
 * @param privateKey        PEM private key, refused when readable by group or others
 * @param caBundle          PEM certificates trusted for peers the router connects to, and for the client
 *                          certificates of {@code tls:} listeners; null for the JDK's trust store (then
 *                          {@code client-auth} must be {@code none})
 * @param clientAuth        whether {@code tls:} listeners ask their clients for a certificate (mutual TLS)
 * @param clientCertificate PEM certificate chain the router presents when a peer it connects to asks for one
 * @param clientPrivateKey  its PEM private key, refused when readable by group or others
 * @param handshakeTimeout  a connection whose handshake is not done within this is closed
 */
public record TlsSettings(Path certificate, Path privateKey, Path caBundle, ClientAuth clientAuth,
                          Path clientCertificate, Path clientPrivateKey, Duration handshakeTimeout) {

    /**
     * A handshake takes a few round trips; 10 s covers a slow link, while a client that opens connections and never
     * completes a handshake holds each for seconds, not for the idle timeout.
     */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** The only protocols accepted: older versions are broken (RFC 8996). */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** {@code sip.tls.client-auth}: what a {@code tls:} listener asks of its clients. */
    public enum ClientAuth {
        /** No certificate asked: callers (phones, carriers) are authenticated, if at all, by SIP. */
        NONE,
        /** A certificate asked for; a client without one is served, a client whose certificate fails is refused. */
        WANT,
        /** A certificate chaining to {@code ca-bundle} required: the handshake fails without one. */
        NEED;

        static ClientAuth parse(String text) {
            if (text == null) {
                return NONE;
            }
            for (ClientAuth c : values()) {
                if (c.name().toLowerCase(Locale.ROOT).equals(text)) {
                    return c;
                }
            }
            throw new ConfigException("client-auth", text + " (expected: none, want or need)");
        }
    }

    public TlsSettings {
        handshakeTimeout = handshakeTimeout == null ? DEFAULT_HANDSHAKE_TIMEOUT : handshakeTimeout;
        clientAuth = clientAuth == null ? ClientAuth.NONE : clientAuth;
        if (certificate == null) {
            throw new ConfigException("certificate", "missing (expected: the path of a PEM certificate chain)");
        }
        if (privateKey == null) {
            throw new ConfigException("private-key", "missing (expected: the path of a PEM private key)");
        }
        if ((clientCertificate == null) != (clientPrivateKey == null)) {
            throw new ConfigException(clientCertificate == null ? "client-certificate" : "client-private-key",
                    "missing (expected: client-certificate and client-private-key together, or neither to present"
                    + " certificate and private-key)");
        }
        clientCertificate = clientCertificate == null ? certificate : clientCertificate;
        clientPrivateKey = clientPrivateKey == null ? privateKey : clientPrivateKey;
        requireReadable("certificate", certificate);
        requireReadable("private-key", privateKey);
        requireOwnerOnly("private-key", privateKey);
        requireReadable("client-certificate", clientCertificate);
        requireReadable("client-private-key", clientPrivateKey);
        requireOwnerOnly("client-private-key", clientPrivateKey);
        if (caBundle != null) {
            requireReadable("ca-bundle", caBundle);
        } else if (clientAuth != ClientAuth.NONE) {
            // The JDK's trust store holds the public CAs: anyone can buy a certificate that chains to one of them.
            throw new ConfigException("ca-bundle", "missing with client-auth " + clientAuth.name().toLowerCase(Locale.ROOT)
                    + " (expected: the PEM bundle of the CA that signs the nodes' and peers' client certificates)");
        }
        if (handshakeTimeout.toMillis() < 100 || handshakeTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("handshake-timeout", handshakeTimeout.toMillis() + "ms (expected: 100ms..1m,"
                    + " default 10s)");
        }
    }

    @JsonCreator
    static TlsSettings bind(@JsonProperty("certificate") Path certificate,
                            @JsonProperty("private-key") Path privateKey,
                            @JsonProperty("ca-bundle") Path caBundle,
                            @JsonProperty("client-auth") String clientAuth,
                            @JsonProperty("client-certificate") Path clientCertificate,
                            @JsonProperty("client-private-key") Path clientPrivateKey,
                            @JsonProperty("handshake-timeout") Duration handshakeTimeout) {
        return new TlsSettings(certificate, privateKey, caBundle, ClientAuth.parse(clientAuth), clientCertificate,
                clientPrivateKey, handshakeTimeout);
    }

    /** The same settings with every file checked again (a reload: renewed certificates, changed permissions). */
    public TlsSettings reread() {
        return new TlsSettings(certificate, privateKey, caBundle, clientAuth, clientCertificate, clientPrivateKey,
                handshakeTimeout);
    }

    private static void requireReadable(String key, Path file) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(key, file + " is not a readable file");
        }
    }

    /** A private key others can read is as good as published: refused, as ssh refuses such a key. */
    private static void requireOwnerOnly(String key, Path file) {
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException notPosix) {
            return;
        }
        if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
            throw new ConfigException(key, file + " is readable by group or others (expected: readable by its owner"
                    + " only, chmod 600)");
        }
    }
}
