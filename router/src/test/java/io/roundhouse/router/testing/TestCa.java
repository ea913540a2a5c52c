package io.roundhouse.router.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.net.Socket;
import java.security.Principal;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority made by the JDK's keytool at test time (no private key is committed), issuing certificates
 * for 127.0.0.1 and localhost: the CA of a farm's node links in the mutual TLS tests.
 *
 * @param dir         where its files are
 * @param bundle      the CA's certificate, PEM (what {@code sip.tls.ca-bundle} names)
 * @param certificate the CA's certificate
 */
public record TestCa(Path dir, Path bundle, Certificate certificate) {

    private static final String PASSWORD = "test-only";

    /** Makes a CA named {@code name} in {@code dir}/{@code name}. */
    public static TestCa make(Path parent, String name) throws Exception {
        Path dir = Files.createDirectories(parent.resolve(name));
        Path store = dir.resolve("ca.p12");
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + name + " test CA", "-ext", "bc:c", "-validity", "2", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        Path bundle = dir.resolve("ca.crt");
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD,
                "-file", bundle.toString());
        return new TestCa(dir, bundle, load(store).getCertificate("ca"));
    }

    /**
     * A certificate for 127.0.0.1 and localhost signed by this CA, its PEM chain (leaf, then the CA) and PKCS#8 key,
     * in {@code dir}/{@code name}; its key store holds it under the alias {@code router}.
     */
    public TestCertificate issue(String name) throws Exception {
        Path leafDir = Files.createDirectories(dir.resolve(name));
        Path store = leafDir.resolve("leaf.p12");
        String ks = store.toString();
        keytool("-genkeypair", "-alias", "router", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + name, "-validity", "2", "-keystore", ks, "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        Path csr = leafDir.resolve("leaf.csr");
        keytool("-certreq", "-alias", "router", "-keystore", ks, "-storepass", PASSWORD, "-file", csr.toString());
        Path signed = leafDir.resolve("leaf.signed");
        keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", dir.resolve("ca.p12").toString(), "-storepass",
                PASSWORD, "-infile", csr.toString(), "-outfile", signed.toString(), "-validity", "2", "-ext",
                "SAN=ip:127.0.0.1,dns:localhost");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", ks, "-storepass", PASSWORD, "-file",
                bundle.toString());
        keytool("-importcert", "-alias", "router", "-keystore", ks, "-storepass", PASSWORD, "-file",
                signed.toString());
        KeyStore loaded = load(store);
        Certificate[] chain = loaded.getCertificateChain("router");
        PrivateKey key = (PrivateKey) loaded.getKey("router", PASSWORD.toCharArray());
        List<String> pems = new ArrayList<>();
        for (Certificate c : chain) {
            pems.add(pem("CERTIFICATE", c.getEncoded()));
        }
        Path certificate = leafDir.resolve(name + ".crt");
        Path privateKey = leafDir.resolve(name + ".key");
        Files.writeString(certificate, String.join("", pems));
        Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()));
        Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        return new TestCertificate(certificate, privateKey, loaded);
    }

    /**
     * A context that presents {@code identity} (or nothing, when null) and trusts this CA only: a TLS client or
     * server of the test.
     */
    public SSLContext context(TestCertificate identity) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (identity != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(identity.keyStore(), PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : new KeyManager[] {new AlwaysPresent((X509KeyManager) kmf.getKeyManagers()[0])},
                tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * Presents its one certificate whatever CAs the peer names: the JDK's own key manager sends nothing when its
     * certificate's issuer is not among them, so a stranger's certificate would never reach the router's check.
     */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final X509KeyManager keys;

        AlwaysPresent(X509KeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"router"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "router";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "router";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {"router"};
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return "router";
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return "router";
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    private static KeyStore load(Path store) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        return ks;
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool " + args[0] + " took over 30 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: "
                    + new String(p.getInputStream().readAllBytes()));
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
