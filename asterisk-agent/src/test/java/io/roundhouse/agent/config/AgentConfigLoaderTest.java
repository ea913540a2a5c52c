package io.roundhouse.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.shared.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigLoaderTest {

    private static final String MINIMAL = """
            node: { id: asterisk-1, sip-uri: "sip:10.0.0.11:5060", max-channels: 200 }
            redis: { url: "redis://127.0.0.1:6379/0" }
            ami: { username: roundhouse, secret: s3cret }
            """;

    private final AgentConfigLoader loader = new AgentConfigLoader(Map.of());

    private static ConfigException error(AgentConfigLoader loader, String yaml) {
        try {
            loader.parse(yaml, Path.of("."));
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("no ConfigException for:\n" + yaml);
    }

    @Test
    void minimalFileGetsTheDocumentedDefaults() {
        AgentConfig config = loader.parse(MINIMAL, Path.of("."));

        assertThat(config.node()).isEqualTo(new NodeSettings("asterisk-1", "sip:10.0.0.11:5060", 200,
                NodeSettings.DEFAULT_PID_FILE));
        assertThat(config.ami().host()).isEqualTo("127.0.0.1");
        assertThat(config.ami().port()).isEqualTo(5038);
        assertThat(config.ami().resyncInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.publish()).isEqualTo(new PublishSettings(Duration.ofSeconds(1), Duration.ofSeconds(3),
                Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(10)));
        assertThat(config.drain().timeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.redis().url()).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(config.ari()).isEmpty();
        assertThat(config.services().byName()).isEmpty();
    }

    @Test
    void theExampleFileIsValid() {
        Path example = Path.of("agent.example.yml");
        if (!Files.exists(example)) {
            example = Path.of("asterisk-agent/agent.example.yml");
        }
        AgentConfig config = new AgentConfigLoader(Map.of("AMI_SECRET", "from-env", "ARI_PASSWORD", "ari-env"))
                .load(example);
        assertThat(config.ami().secret()).isEqualTo("from-env");
        assertThat(config.ari().orElseThrow().password()).isEqualTo("ari-env");
        assertThat(config.ari().orElseThrow().apps()).containsExactly("Conference", "Echo");
        assertThat(config.services().byName()).containsOnlyKeys("Conference", "Echo");
        assertThat(config.node().id()).isNotBlank();
    }

    @Test
    void ariAndServicesSectionsAreParsedByTheServicesSide() {
        AgentConfig config = new AgentConfigLoader(Map.of("ARI_PASSWORD", "ari-secret")).parse(MINIMAL + """
                ari: { url: "http://127.0.0.1:8088/", username: roundhouse, apps: [ Conference ] }
                services: { Conference: { max-participants-per-node: 50 } }
                """, Path.of("."));
        assertThat(config.ari().orElseThrow().apps()).containsExactly("Conference");
        assertThat(config.ari().orElseThrow().password()).isEqualTo("ari-secret");
        assertThat(config.services().byName()).containsKey("Conference");
    }

    @Test
    void servicesWithoutAriAreRefused() {
        assertThat(error(loader, MINIMAL + "services: { Echo: { max-channels: 10 } }\n").key()).isEqualTo("ari");
    }

    @Test
    void secretComesFromTheEnvironmentOrAFileOutsideTheRepo(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ami.secret"), "from-file\n");
        String yaml = MINIMAL.replace("secret: s3cret", "secret-file: ami.secret");

        assertThat(loader.parse(yaml, dir).ami().secret()).isEqualTo("from-file");
        assertThat(new AgentConfigLoader(Map.of("AMI_SECRET", "from-env")).parse(yaml, dir).ami().secret())
                .isEqualTo("from-env");
        assertThat(loader.parse(yaml, dir).ami().toString()).doesNotContain("from-file");
    }

    @Test
    void missingSecretNamesTheKeyAndTheThreeWaysToGiveIt() {
        ConfigException e = error(loader, MINIMAL.replace(", secret: s3cret", ""));
        assertThat(e.key()).isEqualTo("ami.secret");
        assertThat(e.getMessage()).contains("ami.secret-file").contains("AMI_SECRET");
    }

    @Test
    void badValuesNameTheKeyAndWhatWasExpected() {
        assertThat(error(loader, MINIMAL.replace("max-channels: 200", "max-channels: lots")))
                .hasMessage("node.max-channels: \"lots\" (expected: an integer)");
        assertThat(error(loader, MINIMAL.replace("max-channels: 200", "max-channels: 0")))
                .hasMessage("node.max-channels: 0 (expected: an integer 1..1000000)");
        assertThat(error(loader, MINIMAL.replace("sip:10.0.0.11:5060", "10.0.0.11")).key()).isEqualTo("node.sip-uri");
        assertThat(error(loader, MINIMAL + "publish: { interval: 1s, ttl: 1s }\n"))
                .hasMessageStartingWith("publish.ttl: PT1S (expected: at least twice publish.interval");
        assertThat(error(loader, MINIMAL + "drain: { timeout: soon }\n"))
                .hasMessageStartingWith("drain.timeout: 'soon' (expected: a duration such as");
        assertThat(error(loader, MINIMAL.replace("ami: {", "ami: { port: 70000,")))
                .hasMessage("ami.port: 70000 (expected: an integer 1..65535)");
        assertThat(error(loader, MINIMAL.replace("redis://", "http://")).key()).isEqualTo("redis.url");
    }

    @Test
    void unknownAndMissingKeysAreNamed() {
        assertThat(error(loader, MINIMAL + "amy: {}\n").key()).isEqualTo("amy");
        assertThat(error(loader, MINIMAL.replace("ami: {", "ami: { resync: 5s,")).key()).isEqualTo("ami.resync");
        assertThat(error(loader, MINIMAL.replace("node: { id: asterisk-1, ", "node: { ")).key()).isEqualTo("node.id");
        assertThat(error(loader, "node: [1, 2]\n").key()).isEqualTo("node");
        assertThat(error(loader, "node: { id: [\n").key()).isEqualTo("(document)");
    }

    @Test
    void theSharedBindersRulesHoldInEverySection() {
        assertThat(error(loader, MINIMAL + "publish: { interval: 5 }\n"))
                .hasMessageStartingWith("publish.interval: 5 (expected: a duration with its unit");
        assertThat(error(loader, MINIMAL.replace("ami: {", "ami: { port: \"5038\",")))
                .hasMessage("ami.port: \"5038\" (expected: an integer)");
        assertThat(error(loader, MINIMAL + "ari: { password: x, apps: [Echo], ping: 1s }\n").key())
                .isEqualTo("ari.ping");
        assertThat(error(loader, MINIMAL + "ari: { password: x, apps: [Echo] }\n"
                + "services: { Echo: { max-cpu: lots } }\n"))
                .hasMessage("services.Echo.max-cpu: \"lots\" (expected: a percentage 0..100, or off)");
        assertThat(error(loader, MINIMAL + "metrics: { listen: nowhere }\n").key()).isEqualTo("metrics.listen");
    }

    @Test
    void unreadableFileNamesTheOption(@TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(dir.resolve("absent.yml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--config: cannot read");
    }
}
