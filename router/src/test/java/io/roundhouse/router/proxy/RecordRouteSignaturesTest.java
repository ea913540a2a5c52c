package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.sip.SipUri;
import io.roundhouse.shared.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a Record-Route signature vouches for, and where the secret that makes it comes from. */
@Timeout(10)
class RecordRouteSignaturesTest {

    private static final byte[] SHARED = "a secret shared by the farm's routers".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVouchesForBothHopsOfItsDialogAndNothingElse() {
        RouteSigner signer = new RouteSigner(SHARED);
        String value = signer.sign("call-1", "198.51.100.7:5060", "10.0.0.5:5080");
        assertThat(signer.allows(value, "call-1", "198.51.100.7:5060")).isTrue();
        assertThat(signer.allows(value, "call-1", "10.0.0.5:5080")).isTrue();
        assertThat(signer.allows(value, "call-1", "203.0.113.9:5060")).isFalse();
        assertThat(signer.allows(value, "call-2", "198.51.100.7:5060")).isFalse();
        assertThat(signer.allows(null, "call-1", "198.51.100.7:5060")).isFalse();
        assertThat(signer.allows("garbage", "call-1", "198.51.100.7:5060")).isFalse();
    }

    @Test
    void routersSharingASecretAcceptEachOthersSignaturesAndOthersDoNot() {
        String value = new RouteSigner(SHARED).sign("call-1", "198.51.100.7:5060", "10.0.0.5:5080");
        assertThat(new RouteSigner(SHARED).allows(value, "call-1", "198.51.100.7:5060")).isTrue();
        assertThat(RouteSigner.random().allows(value, "call-1", "198.51.100.7:5060")).isFalse();
    }

    @Test
    void aHopIsWhereTheRouterWouldSendMaddrFirstIpLiteralsCanonicalAndTheDefaultPortFilledIn() {
        assertThat(RouteSigner.hopOf(SipUri.parse("sip:bob@Example.COM"))).isEqualTo("example.com:5060");
        assertThat(RouteSigner.hopOf(SipUri.parse("sip:[0:0:0:0:0:0:0:1]:5070;lr"))).isEqualTo("::1:5070");
        assertThat(RouteSigner.hopOf(SipUri.parse("sip:a@10.0.0.1:5070;maddr=192.0.2.4"))).isEqualTo("192.0.2.4:5070");
        assertThat(RouteSigner.hopOf(SipUri.parse("sips:a@10.0.0.1"))).isEqualTo("10.0.0.1:5061");
    }

    @Test
    void theEnvironmentsSecretWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secret");
        Files.writeString(file, "the file's secret, long enough\n");
        RouteSigner fromEnv = RouteSigner.load(Optional.of(file), Map.of(RouteSigner.SECRET_ENV, new String(SHARED,
                StandardCharsets.UTF_8)));
        String value = new RouteSigner(SHARED).sign("c", "u:1", "d:2");
        assertThat(fromEnv.allows(value, "c", "u:1")).isTrue();
        RouteSigner fromFile = RouteSigner.load(Optional.of(file), Map.of());
        assertThat(fromFile.allows(new RouteSigner("the file's secret, long enough".getBytes(StandardCharsets.UTF_8))
                .sign("c", "u:1", "d:2"), "c", "u:1")).isTrue();
    }

    @Test
    void aShortOrUnreadableSecretIsRefusedWithItsSourceAndNeverPrinted(@TempDir Path dir) {
        assertThatThrownBy(() -> RouteSigner.load(Optional.empty(), Map.of(RouteSigner.SECRET_ENV, "hunter2")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(RouteSigner.SECRET_ENV)
                .hasMessageContaining("16 bytes").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> RouteSigner.load(Optional.of(dir.resolve("missing")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sip.route-secret-file");
    }
}
