package io.roundhouse.router.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.shared.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AdminSettingsTest {

    @TempDir
    Path dir;

    static JsonNode yaml(String text) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(text).get("admin");
    }

    @Test
    void withoutTheBlockThereIsNoAdminListener() throws Exception {
        assertThat(AdminSettings.fromConfig(yaml("sip: {}"), Map.of())).isEmpty();
    }

    @Test
    void anEmptyBlockListensOnLoopbackWithoutToken() throws Exception {
        AdminSettings s = AdminSettings.fromConfig(yaml("admin: {}"), Map.of()).orElseThrow();
        assertThat(s.listen().getHostString()).isEqualTo("127.0.0.1");
        assertThat(s.listen().getPort()).isEqualTo(9465);
        assertThat(s.token()).isEmpty();
    }

    @Test
    void theTokenComesFromTheEnvironmentBeforeTheFileAndIsNeverPrinted() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "from-file\n");
        JsonNode block = yaml("admin: { listen: \"[::1]:0\", token-file: \"" + file + "\" }");
        assertThat(AdminSettings.fromConfig(block, Map.of()).orElseThrow().token()).contains("from-file");
        AdminSettings s = AdminSettings.fromConfig(block, Map.of(AdminSettings.TOKEN_ENV, "from-env")).orElseThrow();
        assertThat(s.token()).contains("from-env");
        assertThat(s.toString()).doesNotContain("from-env").contains("(set)");
    }

    @Test
    void badValuesNameTheirKeyAndWhatWasExpected() {
        assertThatThrownBy(() -> AdminSettings.fromConfig(yaml("admin: { listen: \"localhost\" }"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.listen")
                .hasMessageContaining("expected: host:port");
        assertThatThrownBy(() -> AdminSettings.fromConfig(yaml("admin: { token: \"abc\" }"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.token")
                .hasMessageContaining("unknown key");
        assertThatThrownBy(() -> AdminSettings.fromConfig(yaml("admin: { token-file: /nonexistent/t }"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("admin.token-file")
                .hasMessageContaining("readable file");
    }
}
