package io.roundhouse.agent.ari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.shared.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AriSettingsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode ari(String yaml) throws Exception {
        return YAML.readTree(yaml).get("ari");
    }

    @Test
    void readsTheDocumentedBlockWithThePasswordFromTheEnvironment() throws Exception {
        AriSettings s = AriSettings.parse(ari("""
                ari:
                  url: http://127.0.0.1:8088
                  username: roundhouse
                  apps: [Conference, Echo]
                """), Map.of("ARI_PASSWORD", "from-env")::get);

        assertThat(s.url().toString()).isEqualTo("http://127.0.0.1:8088/");
        assertThat(s.username()).isEqualTo("roundhouse");
        assertThat(s.password()).isEqualTo("from-env");
        assertThat(s.apps()).containsExactly("Conference", "Echo");
        assertThat(s.reconnectInitial()).isEqualTo(AriSettings.DEFAULT_RECONNECT_INITIAL);
        assertThat(s.reconnectMax()).isEqualTo(AriSettings.DEFAULT_RECONNECT_MAX);
        assertThat(s.toString()).doesNotContain("from-env");
    }

    @Test
    void theEnvironmentPasswordWinsOverTheFileAsAmiSecretDoes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ari-password");
        Files.writeString(file, "from-file\n");
        AriSettings s = AriSettings.parse(ari("""
                ari:
                  password-file: %s
                  apps: [Conference]
                """.formatted(file)), Map.of("ARI_PASSWORD", "from-env")::get);

        assertThat(s.password()).isEqualTo("from-env");
    }

    @Test
    void readsThePasswordFileWithoutItsTrailingNewline(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ari-password");
        Files.writeString(file, "s3cret\n");
        AriSettings s = AriSettings.parse(ari("""
                ari:
                  password-file: %s
                  apps: [Conference]
                  reconnect-initial: 100ms
                  reconnect-max: 5s
                """.formatted(file)), name -> null);

        assertThat(s.password()).isEqualTo("s3cret");
        assertThat(s.url().toString()).isEqualTo(AriSettings.DEFAULT_URL);
        assertThat(s.reconnectInitial()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.reconnectMax()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void namesTheKeyOfEveryDefect() {
        assertError("ari: { apps: [Conference] }", "ari.password");
        assertError("ari: { password: x, apps: [] }", "ari.apps");
        assertError("ari: { password: x, apps: [Conference, Conference] }", "ari.apps[1]");
        assertError("ari: { password: x, apps: [\"Con ference\"] }", "ari.apps[0]");
        assertError("ari: { password: x, apps: [Conference], url: \"ftp://host/\" }", "ari.url");
        assertError("ari: { password: x, apps: [Conference], passwd: y }", "ari.passwd");
        assertError("ari: { password: x, password-file: /nowhere, apps: [Conference] }", "ari.password");
        assertError("ari: { password-file: /nowhere/at/all, apps: [Conference] }", "ari.password-file");
        assertError("ari: { password: x, apps: [Conference], reconnect-initial: soon }", "ari.reconnect-initial");
        assertError("ari: { password: x, apps: [Conference], reconnect-initial: 5s, reconnect-max: 1s }",
                "ari.reconnect-max");
    }

    @Test
    void aMissingBlockIsAnError() {
        assertThatThrownBy(() -> AriSettings.parse(null, n -> "x"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("ari"));
    }

    private static void assertError(String yaml, String key) {
        assertThatThrownBy(() -> AriSettings.parse(ari(yaml), n -> null))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo(key))
                .hasMessageContaining("expected");
    }
}
