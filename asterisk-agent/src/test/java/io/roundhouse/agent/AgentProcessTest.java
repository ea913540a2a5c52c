package io.roundhouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The agent as operators run it: a separate JVM started with --config and stopped with SIGTERM. */
class AgentProcessTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @TempDir
    Path dir;

    private FakeAmiServer fake;
    private Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (fake != null) {
            fake.close();
        }
    }

    private Path config(int amiPort) throws IOException {
        Path file = dir.resolve("agent.yml");
        Files.writeString(file, """
                node: { id: %s, sip-uri: "sip:127.0.0.1:5090", max-channels: 200 }
                redis: { url: "%s", key-prefix: "%s" }
                ami: { host: 127.0.0.1, port: %d, username: roundhouse, reconnect-min: 50ms, reconnect-max: 500ms }
                publish: { interval: 500ms, ttl: 3s, debounce: 100ms }
                drain: { timeout: 20s }
                """.formatted(AgentFixture.NODE, redis.url(), redis.prefix(), amiPort));
        return file;
    }

    private String output() throws IOException {
        Path log = dir.resolve("agent.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Test
    void sigtermDrainsTheNodeAndExitsWhenTheLastCallEnds() throws Exception {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(List.of(javaBin.toString(), "-cp",
                System.getProperty("java.class.path"), AgentMain.class.getName(), "--config",
                config(fake.port()).toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile());
        builder.environment().put("AMI_SECRET", "s3cret"); // the secret never sits in the file
        builder.environment().remove("REDIS_URL");
        process = builder.start();
        RedisState state = redis.open();

        await().atMost(Duration.ofSeconds(20)).until(() -> fake.logins() == 1
                && state.nodes().read(AgentFixture.NODE).isPresent());
        fake.inject(AgentFixture.twoCallersJoin());
        await().atMost(Duration.ofSeconds(3)).until(() -> state.nodes().read(AgentFixture.NODE)
                .map(NodeState::channels).orElse(-1) == 2);

        process.destroy(); // SIGTERM
        await().atMost(Duration.ofSeconds(5)).until(() -> state.nodes().read(AgentFixture.NODE)
                .map(NodeState::status).orElse(null) == NodeStatus.DRAINING);
        assertThat(process.isAlive()).as("calls are up: the agent keeps serving\n" + output()).isTrue();

        fake.inject(AgentFixture.twoCallersLeave());
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("exits once drained\n" + output()).isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(state.nodes().read(AgentFixture.NODE)).isEmpty();
        assertThat(output()).contains("drain complete");
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void sighupPutsNewAdmissionThresholdsInForceAndRefusesABrokenFile() throws Exception {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
        try (var asterisk = new io.roundhouse.agent.fakes.ari.FakeAsterisk()) {
            Path file = config(fake.port());
            String base = Files.readString(file) + """
                    ari: { url: "%s", username: %s, apps: [ Echo ] }
                    """.formatted(asterisk.url(), io.roundhouse.agent.fakes.ari.FakeAriRest.USER);
            Files.writeString(file, base + "services: { Echo: { max-channels: 150 } }\n");
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder builder = new ProcessBuilder(List.of(javaBin.toString(), "-cp",
                    System.getProperty("java.class.path"), AgentMain.class.getName(), "--config", file.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent.log").toFile());
            builder.environment().put("AMI_SECRET", "s3cret");
            builder.environment().put("ARI_PASSWORD", io.roundhouse.agent.fakes.ari.FakeAriRest.PASSWORD);
            builder.environment().remove("REDIS_URL");
            process = builder.start();
            RedisState state = redis.open();
            // (What the node accepts also hangs on this machine's real CPU here: ServiceHostTest checks that part.)
            await().atMost(Duration.ofSeconds(30)).until(() -> state.nodes().read(AgentFixture.NODE)
                    .map(n -> n.apps().contains("Echo")).orElse(false));

            Files.writeString(file, base.replace("publish: { interval: 500ms", "publish: { interval: 400ms")
                    + "services: { Echo: { max-channels: 0 } }\n");
            sighup();
            await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("take effect only after a restart"));
            assertThat(output()).contains("Echo: AdmissionThresholds[maxChannels=150")
                    .contains("-> AdmissionThresholds[maxChannels=0")
                    .contains("[publish] changed but take effect only after a restart");

            Files.writeString(file, base + "services: { Echo: { max-channels: -1 } }\n");
            sighup();
            await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("reload refused"));
            assertThat(output()).contains("services.Echo.max-channels");
            assertThat(process.isAlive()).as(output()).isTrue();
        }
    }

    private void sighup() throws Exception {
        Process kill = new ProcessBuilder("bash", "-c", "kill -HUP " + process.pid()).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void helpDescribesTheOptionsAndExitCodes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new AgentMain());
        cli.setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8));
        assertThat(cli.execute("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--config=FILE").contains("SIGTERM");
    }

    @Test
    void aBadConfigExitsWith2AndNamesTheKey() throws Exception {
        Path file = dir.resolve("bad.yml");
        Files.writeString(file, """
                node: { id: a1, sip-uri: "sip:127.0.0.1:5090", max-channels: 0 }
                redis: { url: "redis://127.0.0.1:1/0" }
                ami: { username: roundhouse, secret: x }
                """);
        PrintStream previous = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(new AgentMain()).execute("--config", file.toString());
        } finally {
            System.setErr(previous);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("node.max-channels: 0 (expected: an integer 1..1000000)");
    }
}
