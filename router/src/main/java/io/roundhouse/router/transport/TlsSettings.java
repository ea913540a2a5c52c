package io.roundhouse.router.transport;

import io.roundhouse.shared.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
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
 *     ca-bundle: /etc/roundhouse/tls/peers.pem      # optional: whom to trust when the router connects (default: the JDK's)
 *     handshake-timeout: 10s
 * </pre>
 *
 * @param certificate      PEM certificate chain
 * @param privateKey       PEM private key, refused when readable by group or others
 * @param caBundle         PEM certificates trusted for peers the router connects to, or null for the JDK's trust store
 * @param handshakeTimeout a connection whose handshake is not done within this is closed
 */
public record TlsSettings(Path certificate, Path privateKey, Path caBundle, Duration handshakeTimeout) {

    /**
     * A handshake takes a few round trips; 10 s covers a slow link, while a client that opens connections and never
     * completes a handshake holds each for seconds, not for the idle timeout.
     */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** The only protocols accepted: older versions are broken (RFC 8996). */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    public TlsSettings {
        handshakeTimeout = handshakeTimeout == null ? DEFAULT_HANDSHAKE_TIMEOUT : handshakeTimeout;
        if (certificate == null) {
            throw new ConfigException("certificate", "missing (expected: the path of a PEM certificate chain)");
        }
        if (privateKey == null) {
            throw new ConfigException("private-key", "missing (expected: the path of a PEM private key)");
        }
        requireReadable("certificate", certificate);
        requireReadable("private-key", privateKey);
        requireOwnerOnly("private-key", privateKey);
        if (caBundle != null) {
            requireReadable("ca-bundle", caBundle);
        }
        if (handshakeTimeout.toMillis() < 100 || handshakeTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("handshake-timeout", handshakeTimeout.toMillis() + "ms (expected: 100ms..1m,"
                    + " default 10s)");
        }
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
