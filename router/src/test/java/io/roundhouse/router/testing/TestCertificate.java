package io.roundhouse.router.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made by the JDK's keytool at test time (no private key is
 * committed), with its PEM files and SSL contexts for the test's own TLS peers.
 *
 * @param certificate PEM certificate
 * @param privateKey  PEM private key (PKCS#8), readable by its owner only
 * @param keyStore    the PKCS12 store keytool wrote
 */
public record TestCertificate(Path certificate, Path privateKey, KeyStore keyStore) {

    private static final char[] PASSWORD = "test-only".toCharArray();

    /** Makes a certificate in {@code dir}. */
    public static TestCertificate make(Path dir) throws Exception {
        Path store = dir.resolve("router.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "router", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        if (!keytool.waitFor(30, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(keytool.getInputStream().readAllBytes()));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD);
        }
        Certificate cert = ks.getCertificate("router");
        PrivateKey key = (PrivateKey) ks.getKey("router", PASSWORD);
        Path certificate = dir.resolve("router.crt");
        Path privateKey = dir.resolve("router.key");
        Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()));
        Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()));
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        return new TestCertificate(certificate, privateKey, ks);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** A client context trusting this certificate only. */
    public SSLContext trustingIt() throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("router", keyStore.getCertificate("router"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    /** A server context presenting this certificate. */
    public SSLContext presentingIt() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
