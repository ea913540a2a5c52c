package io.roundhouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.agent.fakes.ami.AmiScenario;
import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The shaded jar as operators run it: {@code java -jar asterisk-agent/target/asterisk-agent.jar --config agent.yml}. */
class AgentJarIT {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @TempDir
    Path dir;

    private Process process;
    private FakeAmiServer fake;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (fake != null) {
            fake.close();
        }
    }

    private static Path jar() {
        Path jar = Path.of("target", "asterisk-agent.jar");
        if (!Files.isRegularFile(jar)) {
            jar = Path.of("asterisk-agent", "target", "asterisk-agent.jar");
        }
        assertThat(jar).as("the shaded jar (built by package, before integration-test)").isRegularFile();
        return jar;
    }

    private Process run(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile());
        builder.environment().put("AMI_SECRET", "s3cret");
        builder.environment().remove("REDIS_URL");
        return builder.start();
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("agent.log"));
    }

    @Test
    void helpWorks() throws Exception {
        process = run("--help");
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(output()).contains("--config=FILE");
    }

    @Test
    void runsUntilSigtermPublishingTheNodeThenLeavesCleanly() throws Exception {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        Path config = dir.resolve("agent.yml");
        Files.writeString(config, """
                node: { id: %s, sip-uri: "sip:127.0.0.1:5090", max-channels: 200 }
                redis: { url: "%s", key-prefix: "%s" }
                ami: { port: %d, username: roundhouse }
                drain: { timeout: 2s }
                """.formatted(AgentFixture.NODE, redis.url(), redis.prefix(), fake.port()));
        process = run("--config", config.toString());
        RedisState state = redis.open();

        await().atMost(Duration.ofSeconds(30)).until(() -> state.nodes().read(AgentFixture.NODE)
                .map(NodeState::channels).orElse(-1) == 2);
        NodeState node = state.nodes().read(AgentFixture.NODE).orElseThrow();
        assertThat(node.rooms()).isEqualTo(Map.of("1000", 2));
        assertThat(node.agentVersion()).as("from the jar manifest").isEqualTo("0.1.0-SNAPSHOT");

        // The two captured callers never hang up here: the agent stops at drain.timeout.
        process.destroy();
        assertThat(process.waitFor(15, TimeUnit.SECONDS)).as(output()).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(state.nodes().read(AgentFixture.NODE)).isEmpty();
        assertThat(output()).contains("drain timeout PT2S reached with 2 channels still up");
    }

    @Test
    void servesItsOwnMetricsAndThoseOfItsJvmAndProcess() throws Exception {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path config = dir.resolve("agent.yml");
        Files.writeString(config, """
                node: { id: %s, sip-uri: "sip:127.0.0.1:5090", max-channels: 200 }
                redis: { url: "%s", key-prefix: "%s" }
                ami: { port: %d, username: roundhouse }
                metrics: { listen: "127.0.0.1:%d" }
                """.formatted(AgentFixture.NODE, redis.url(), redis.prefix(), fake.port(), port));
        process = run("--config", config.toString());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();

        String body = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> http.send(get, HttpResponse.BodyHandlers.ofString()).body(),
                        text -> text.contains("roundhouse_agent_channels 2.0"));
        assertThat(body).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                "process_uptime_seconds");
    }
}
