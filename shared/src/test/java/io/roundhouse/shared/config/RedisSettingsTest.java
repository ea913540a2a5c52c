package io.roundhouse.shared.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code redis:} block of the router's and the agent's YAML, with its environment overrides. */
class RedisSettingsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode redisBlock(String yaml) throws Exception {
        return YAML.readTree(yaml).get("redis");
    }

    private static ConfigException badConfig(String yaml) {
        try {
            JsonNode block = redisBlock(yaml);
            RedisSettings.fromConfig(block, Map.of());
        } catch (ConfigException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected a ConfigException, got " + e, e);
        }
        throw new AssertionError("expected a ConfigException for:\n" + yaml);
    }

    @Test
    void aFullBlockIsReadKeyByKey() throws Exception {
        RedisSettings s = RedisSettings.fromConfig(redisBlock("""
                redis:
                  url: "rediss://app:s3cret@redis.example.net:6380/2"
                  key-prefix: "farm1:"
                  connect-timeout: 500ms
                  socket-timeout: 3s
                  sentinel:
                    master: roundhouse
                    nodes: [ "10.0.0.1:26379", "[::1]:26380" ]
                """), Map.of());

        assertThat(s.keyPrefix()).isEqualTo("farm1:");
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.socketTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.sentinelMaster()).isEqualTo("roundhouse");
        assertThat(s.sentinelNodes()).containsExactly("10.0.0.1:26379", "[::1]:26380");
        assertThat(s.parsedUrl()).isEqualTo(new RedisUrl("redis.example.net", 6380, "app", "s3cret", 2, true));
    }

    @Test
    void aMissingBlockOrKeyMeansTheDefaults() throws Exception {
        RedisSettings none = RedisSettings.fromConfig(redisBlock("router: {}"), Map.of());
        RedisSettings empty = RedisSettings.fromConfig(redisBlock("redis: {}"), Map.of());

        for (RedisSettings s : List.of(none, empty)) {
            assertThat(s).isEqualTo(RedisSettings.defaults());
            assertThat(s.url()).isEqualTo("redis://127.0.0.1:6379/0");
            assertThat(s.keyPrefix()).isEqualTo("rh:");
            assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(s.socketTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(s.sentinelMaster()).isNull();
            assertThat(s.sentinelNodes()).isEmpty();
            assertThat(s.parsedUrl()).isEqualTo(new RedisUrl("127.0.0.1", 6379, null, null, 0, false));
        }
    }

    @Test
    void redisUrlFromTheEnvironmentReplacesTheFile() throws Exception {
        RedisSettings s = RedisSettings.fromConfig(redisBlock("redis: { url: 'redis://file-host:6379/0' }"),
                Map.of("REDIS_URL", "redis://env-host:7000/3"));

        assertThat(s.parsedUrl()).isEqualTo(new RedisUrl("env-host", 7000, null, null, 3, false));
    }

    @Test
    void redisPasswordFromTheEnvironmentReplacesTheUrlsPasswordEvenWithSpecialCharacters() throws Exception {
        String password = "p@ss:w#rd/ é?";
        RedisSettings s = RedisSettings.fromConfig(redisBlock("redis: { url: 'rediss://app:old@redis:6380/1' }"),
                Map.of("REDIS_PASSWORD", password));

        assertThat(s.parsedUrl()).isEqualTo(new RedisUrl("redis", 6380, "app", password, 1, true));
        assertThat(s.toString()).doesNotContain(password).doesNotContain("old").contains("app:***@redis:6380");
    }

    @Test
    void toStringNeverShowsThePassword() {
        RedisSettings s = RedisSettings.defaults().withUrl("redis://:hunter2@127.0.0.1:6379/0");

        assertThat(s.toString()).doesNotContain("hunter2").contains("redis://:***@127.0.0.1:6379/0");
        assertThat(s.parsedUrl().password()).isEqualTo("hunter2");
    }

    @Test
    void aBadTimeoutNamesItsKeyAndWhatWasExpected() {
        ConfigException e = badConfig("redis: { connect-timeout: fast }");
        assertThat(e.key()).isEqualTo("redis.connect-timeout");
        assertThat(e).hasMessageContaining("'fast'").hasMessageContaining("500ms, 2s");

        ConfigException bare = badConfig("redis: { socket-timeout: 2 }");
        assertThat(bare.key()).isEqualTo("redis.socket-timeout");
        assertThat(bare).hasMessageContaining("2 (expected: a duration with its unit");

        assertThat(badConfig("redis: { socket-timeout: 0s }").key()).isEqualTo("redis.socket-timeout");
    }

    @Test
    void aBadUrlNamesTheKeyAndTheReason() {
        ConfigException scheme = badConfig("redis: { url: 'http://127.0.0.1:6379' }");
        assertThat(scheme.key()).isEqualTo("redis.url");
        assertThat(scheme).hasMessageContaining("expected: redis or rediss");

        assertThat(badConfig("redis: { url: 'redis://127.0.0.1:6379/zero' }"))
                .hasMessageContaining("redis.url").hasMessageContaining("database 'zero'");
        assertThat(badConfig("redis: { url: 'redis://127.0.0.1:99999/0' }")).hasMessageContaining("redis.url");
        assertThat(badConfig("redis: { url: 'redis:///0' }")).hasMessageContaining("no host");
        assertThat(badConfig("redis: { url: '' }")).hasMessageContaining("redis.url: empty");
    }

    @Test
    void aUrlJavaCannotSplitStillNeverPrintsItsPassword() {
        // '_' in the host makes java.net.URI fall back to a registry authority: no host, no user info.
        ConfigException e = badConfig("redis: { url: 'redis://app:s3cret@redis_1.example:6379/0' }");

        assertThat(e).hasMessageContaining("no host").hasMessageContaining("redis://***@redis_1.example:6379/0");
        assertThat(e.getMessage()).doesNotContain("s3cret");
    }

    @Test
    void aBadUrlInTheEnvironmentNeverPrintsItsPassword() {
        assertThatThrownBy(() -> RedisSettings.fromConfig(redisBlock("redis: {}"),
                Map.of("REDIS_URL", "redis://:hunter2@cache_a:6379/0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_URL")
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void aBadUrlInTheEnvironmentSaysItCameFromThere() {
        assertThatThrownBy(() -> RedisSettings.fromConfig(redisBlock("redis: {}"), Map.of("REDIS_URL", "localhost:6379")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("REDIS_URL");
    }

    @Test
    void aBadUrlDoesNotLeakItsPasswordIntoTheError() {
        ConfigException e = badConfig("redis: { url: 'redis://:se cret@127.0.0.1:6379/0' }");
        assertThat(e.key()).isEqualTo("redis.url");
        assertThat(e.getMessage()).doesNotContain("se cret");
    }

    @Test
    void sentinelNeedsBothMasterAndNodes() {
        assertThat(badConfig("redis: { sentinel: { master: rh } }").key()).isEqualTo("redis.sentinel.nodes");
        assertThat(badConfig("redis: { sentinel: { nodes: ['10.0.0.1:26379'] } }").key()).isEqualTo("redis.sentinel.master");
    }

    @Test
    void aBadSentinelNodeIsNamedByItsIndex() {
        ConfigException e = badConfig("redis: { sentinel: { master: rh, nodes: ['10.0.0.1:26379', '10.0.0.2'] } }");
        assertThat(e.key()).isEqualTo("redis.sentinel.nodes[1]");
        assertThat(e).hasMessageContaining("'10.0.0.2'").hasMessageContaining("expected: host:port");

        assertThat(badConfig("redis: { sentinel: { master: rh, nodes: ['h:0'] } }").key()).isEqualTo("redis.sentinel.nodes[0]");
        assertThat(badConfig("redis: { sentinel: { master: rh, nodes: 'h:1' } }").key()).isEqualTo("redis.sentinel.nodes");
    }

    @Test
    void anUnknownKeyIsATypoNotADefault() {
        ConfigException e = badConfig("redis: { conect-timeout: 2s }");
        assertThat(e.key()).isEqualTo("redis.conect-timeout");
        assertThat(e).hasMessageContaining("unknown key").hasMessageContaining("connect-timeout");

        assertThat(badConfig("redis: { sentinel: { master: rh, node: ['h:1'] } }").key()).isEqualTo("redis.sentinel.node");
    }

    @Test
    void aBlockOfTheWrongShapeIsRefused() {
        assertThat(badConfig("redis: 'redis://127.0.0.1'").key()).isEqualTo("redis");
        assertThat(badConfig("redis: { url: [a, b] }").key()).isEqualTo("redis.url");
        assertThat(badConfig("redis: { key-prefix: 'a b' }").key()).isEqualTo("redis.key-prefix");
    }
}
