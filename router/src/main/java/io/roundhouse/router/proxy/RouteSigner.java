package io.roundhouse.router.proxy;

import io.netty.util.NetUtil;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.router.sip.SipUri;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs the two next hops of a dialog into the router's own Record-Route value, so that an in-dialog request that comes
 * back through that Route may be relayed to them and to nothing else (docs/security.md, "Routing (no open relay)").
 *
 * <p>The value is {@code rh=U.D}: U is a MAC over the Call-ID and the hop towards the caller (the nearest upstream
 * Record-Route of the INVITE, else its Contact: where the callee's requests go after the router, §12.1.1), D a MAC over
 * the Call-ID and the node the request was sent to (where the caller's requests go, §12.1.2). Each is the first 96 bits
 * of an HMAC-SHA256 under the router's secret, in base64url: a caller who saw one value cannot make one for another
 * Call-ID or host. A hop is {@code host:port} as the router would send to it (maddr first, default port filled in).
 */
public final class RouteSigner {

    /** The Record-Route URI parameter carrying the MACs. */
    public static final String PARAM = "rh";
    /** Environment variable with the route secret (overrides {@code sip.route-secret-file}). */
    public static final String SECRET_ENV = "ROUNDHOUSE_ROUTE_SECRET";
    private static final Logger log = LoggerFactory.getLogger(RouteSigner.class);
    private static final int MAC_BYTES = 12;
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /** A signer with {@code secret} (at least 16 bytes; several routers that share it accept each other's values). */
    public RouteSigner(byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("route secret too short: " + secret.length + " bytes (expected: 16 or"
                    + " more)");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // fail at start, not on the first call, if the JVM lacks HmacSHA256
    }

    /**
     * The signer of a router: its secret from the environment ({@value #SECRET_ENV}), else from the file named by
     * {@code sip.route-secret-file}, else a random one for this process (then dialogs set up before a restart, or by
     * another router at the same address, cannot send requests towards their callers through this one).
     *
     * @throws ConfigException naming the source when the secret cannot be read or is shorter than 16 bytes
     */
    public static RouteSigner load(Optional<Path> file, Map<String, String> env) {
        String fromEnv = env.get(SECRET_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return withSecret(SECRET_ENV + " (environment)", fromEnv.strip());
        }
        if (file.isPresent()) {
            String text;
            try {
                text = Files.readString(file.get(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException("sip.route-secret-file", file.get() + ": cannot read ("
                        + e.getClass().getSimpleName() + ")");
            }
            return withSecret("sip.route-secret-file", text.strip());
        }
        log.info("no route secret configured ({} or sip.route-secret-file): Record-Route values are signed with a"
                + " random secret of this process", SECRET_ENV);
        return random();
    }

    private static RouteSigner withSecret(String source, String secret) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 16) {
            // The length only: the secret itself is never printed.
            throw new ConfigException(source, bytes.length + " bytes (expected: a secret of 16 bytes or more)");
        }
        return new RouteSigner(bytes);
    }

    /** A signer with a random secret: this process only, until it stops. */
    public static RouteSigner random() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new RouteSigner(secret);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** The {@code rh} value for a dialog of {@code callId} between {@code upstreamHop} and {@code downstreamHop}. */
    public String sign(String callId, String upstreamHop, String downstreamHop) {
        return mac(callId, 'u', upstreamHop) + "." + mac(callId, 'd', downstreamHop);
    }

    /** True when {@code value} (an {@code rh} parameter, or null) signs {@code hop} for a dialog of {@code callId}. */
    public boolean allows(String value, String callId, String hop) {
        if (value == null) {
            return false;
        }
        int dot = value.indexOf('.');
        if (dot < 0) {
            return false;
        }
        return matches(value, 0, dot, mac(callId, 'u', hop))
                || matches(value, dot + 1, value.length(), mac(callId, 'd', hop));
    }

    private static boolean matches(String value, int from, int to, String expected) {
        byte[] got = value.substring(from, to).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(got, expected.getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String callId, char side, String hop) {
        Mac mac = macs.get();
        mac.update(callId.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update((byte) side);
        mac.update(hop.getBytes(StandardCharsets.UTF_8));
        byte[] full = mac.doFinal();
        return BASE64.encodeToString(Arrays.copyOf(full, MAC_BYTES));
    }

    /** The hop a URI sends to: its maddr or host, with IP literals in one canonical form, and its port or default. */
    public static String hopOf(SipUri uri) {
        String maddr = uri.param("maddr");
        String host = maddr != null && !maddr.isEmpty() ? SipUri.stripBrackets(maddr) : uri.hostAddress();
        return canonicalHost(host) + ":" + uri.portOrDefault();
    }

    /** The hop of a resolved address. */
    public static String hopOf(InetSocketAddress address) {
        return NetUtil.toAddressString(address.getAddress()) + ":" + address.getPort();
    }

    private static String canonicalHost(String host) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                return NetUtil.toAddressString(InetAddress.getByAddress(literal));
            } catch (UnknownHostException e) {
                return host.toLowerCase(Locale.ROOT); // cannot happen for a 4- or 16-byte literal
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }
}
