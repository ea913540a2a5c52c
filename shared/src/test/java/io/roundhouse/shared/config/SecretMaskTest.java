package io.roundhouse.shared.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SecretMaskTest {

    @Test
    void urlUserInformationIsMasked() {
        assertThat(SecretMask.mask("no host in rediss://app:s3cret@redis_1:6380/0 (expected: redis://host:port/db)"))
                .isEqualTo("no host in rediss://***@redis_1:6380/0 (expected: redis://host:port/db)");
    }

    @Test
    void aPasswordHoldingAtAndSlashIsMaskedWhole() {
        assertThat(SecretMask.mask("http://ari:p@ss/w@rd@127.0.0.1:8088/ari")).isEqualTo("http://***@127.0.0.1:8088/ari");
    }

    @Test
    void secretPairsAreMasked() {
        assertThat(SecretMask.mask("line 3: password: hunter2, token=abc&x=1, ari.secret = 'xyz'"))
                .isEqualTo("line 3: password: ***, token=***&x=1, ari.secret = '***'");
    }

    @Test
    void textWithoutSecretsIsUnchanged() {
        String text = "ari.password-file: cannot read /etc/ari (expected: ari.password-file or ARI_PASSWORD)";
        assertThat(SecretMask.mask(text)).isEqualTo(text);
        assertThat(SecretMask.mask("sip:alice@example.com")).isEqualTo("sip:alice@example.com");
    }

    @Test
    void everyConfigErrorIsMasked() {
        ConfigException e = new ConfigException("ari.url", "http://u:topsecret@host_x:8088/ (expected: http://host:port/)");

        assertThat(e.getMessage()).isEqualTo("ari.url: http://***@host_x:8088/ (expected: http://host:port/)");
    }
}
