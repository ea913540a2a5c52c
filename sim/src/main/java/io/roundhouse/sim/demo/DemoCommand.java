package io.roundhouse.sim.demo;

import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.sim.farm.Farm;
import io.roundhouse.sim.farm.SimulatedAsterisk;
import io.roundhouse.sim.node.NodeSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./roundhouse demo}: Redis, the real router, three simulated Asterisk nodes each with the real agent, and a
 * caller running the script of {@link Scenario}, all on loopback; a live table of the farm; then the farm keeps
 * running for the user's own phone or sipp until Ctrl-C. {@code --calls N --exit} runs the script once and exits
 * non-zero when a call failed, a room split or a drain was not honoured (CI runs it).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run a whole farm on loopback: Redis, the router, three simulated Asterisk nodes with their agents.")
public final class DemoCommand implements Callable<Integer> {

    private static final String DOMAIN = "demo.example";
    /** The admin listener's default port (docs/admin.md), which the operator verbs use unless told otherwise. */
    private static final int ADMIN_PORT = 9465;

    @Option(names = "--calls", defaultValue = "12", description = "Ordinary calls in the script (default ${DEFAULT-VALUE}).")
    int calls;
    @Option(names = "--exit", description = "Exit after the script: status 1 when a call failed or a room split.")
    boolean exit;
    @Option(names = "--sip-port", defaultValue = "5060",
            description = "Router port, UDP and TCP on 127.0.0.1; a free one when taken (default ${DEFAULT-VALUE}).")
    int sipPort;
    @Option(names = "--router-jar", defaultValue = "router/target/router.jar", description = "The router's jar.")
    Path routerJar;
    @Option(names = "--agent-jar", defaultValue = "asterisk-agent/target/asterisk-agent.jar",
            description = "The agent's jar.")
    Path agentJar;
    @Option(names = "--work-dir", defaultValue = "target/demo", description = "Configs and logs (default ${DEFAULT-VALUE}).")
    Path workDir;

    private final List<AutoCloseable> started = new ArrayList<>();
    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (calls < 0 || calls > 1000) {
            System.err.println("demo: --calls " + calls + " (expected: 0..1000)");
            return 2;
        }
        for (Path jar : List.of(routerJar, agentJar)) {
            if (!Files.isRegularFile(jar)) {
                System.err.println("demo: " + jar + " not found (build first: ./mvnw -B -q package -DskipTests)");
                return 2;
            }
        }
        Files.createDirectories(workDir);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "demo-shutdown"));
        try {
            return run();
        } finally {
            if (exit) {
                stopAll();
            }
        }
    }

    private int run() throws InterruptedException, IOException {
        String redisUrl = System.getenv("REDIS_URL");
        boolean ownRedis = redisUrl == null || redisUrl.isBlank();
        // A Redis of the user's own is shared: keep the demo's keys apart from a real farm's "rh:".
        String prefix = ownRedis ? "rh:" : "rhdemo:";
        RedisServer redis = started(RedisServer.start(redisUrl, workDir.toAbsolutePath()));
        out.println("demo: Redis " + (ownRedis ? redis.url() + " (" + redis.origin() + ")" : "from REDIS_URL")
                + ", key prefix " + prefix);

        String amiSecret = secret();
        String ariPassword = secret();
        Farm farm = started(new Farm(2));
        List<SimulatedAsterisk> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(farm.add(NodeSettings.loopback("asterisk-" + i, amiSecret, ariPassword)));
        }
        int port = FreePorts.free(sipPort) ? sipPort : FreePorts.udpAndTcp();
        // The admin listener's default port when free, so that ./roundhouse's operator verbs find it as they are.
        int adminPort = FreePorts.free(ADMIN_PORT) ? ADMIN_PORT : FreePorts.tcp();
        String adminToken = secret();
        Path tokenFile = writeSecret(workDir.resolve("admin-token"), adminToken);
        String configUrl = ownRedis ? redis.url() : null;
        Path routerYml = DemoConfigs.router(workDir, port, adminPort, nodes, configUrl, prefix);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> jvm = List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        started(ChildProcess.start("router", command(jvm, routerJar, routerYml),
                Map.of("ROUNDHOUSE_ADMIN_TOKEN", adminToken), workDir.resolve("router.log")));
        for (SimulatedAsterisk node : nodes) {
            Path agentYml = DemoConfigs.agent(workDir, node, configUrl, prefix);
            started(ChildProcess.start("agent " + node.id(), command(jvm, agentJar, agentYml),
                    Map.of("AMI_SECRET", amiSecret, "ARI_PASSWORD", ariPassword),
                    workDir.resolve("agent-" + node.id() + ".log")));
        }
        for (SimulatedAsterisk node : nodes) {
            out.printf("demo: %s  sip %s  ami 127.0.0.1:%d  ari %s%n", node.id(), node.node().sipUri(),
                    node.ami().port(), node.ari().url());
        }
        out.println("demo: router udp/tcp 127.0.0.1:" + port + " (config " + routerYml + "), logs in " + workDir);

        RedisState state = started(new RedisState(new RedisSettings(redis.url(), prefix, null, null, null, List.of())));
        InetSocketAddress router = new InetSocketAddress("127.0.0.1", port);
        Caller east = started(new Caller("east", "127.0.0.1", router, DOMAIN));
        Caller west = started(new Caller("west", secondLoopback(), router, DOMAIN));
        InetSocketAddress slow = new InetSocketAddress("127.0.0.1", nodes.get(2).node().sipPort());
        Caller side = started(new Caller("trunk", "127.0.0.1", slow, DOMAIN));
        String header = "Roundhouse demo: router 127.0.0.1:" + port + ", callers east " + east.address() + " and west "
                + west.address() + ", Redis " + (ownRedis ? redis.url() : "REDIS_URL") + " (prefix " + prefix + ")";
        FarmTable table = new FarmTable(state, nodes, header);
        boolean live = !exit && System.console() != null;
        LiveView view = live ? started(LiveView.start(table, out)) : null;
        Scenario scenario = new Scenario(east, west, side, state, nodes, table,
                live ? () -> { } : () -> out.println(table.render()));
        try {
            scenario.run(calls);
        } catch (IllegalStateException e) {
            out.println("demo: " + e.getMessage() + "; see the logs in " + workDir);
        }
        List<String> failures = scenario.failures();
        String verdict = failures.isEmpty()
                ? "demo: " + scenario.calls() + " calls, all answered; no room split; drain honoured"
                : "demo: " + failures.size() + " failure(s):\n  " + String.join("\n  ", failures);
        if (exit) {
            out.println(verdict);
            return failures.isEmpty() ? 0 : 1;
        }
        String help = help(port, redis, prefix, adminPort, tokenFile);
        if (view != null) {
            view.footer(verdict + "\n" + help);
        } else {
            out.println(verdict);
            out.println(help);
        }
        new CountDownLatch(1).await(); // until Ctrl-C: the shutdown hook stops everything
        return 0;
    }

    private static List<String> command(List<String> jvm, Path jar, Path config) {
        List<String> command = new ArrayList<>(jvm);
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        return command;
    }

    private String help(int port, RedisServer redis, String prefix, int adminPort, Path tokenFile) {
        String cli = "redis-cli " + redis.cliArguments();
        return """
                The farm keeps running until Ctrl-C. Call it yourself (any user; conf-<n> joins room n):
                  a SIP phone:  sip:conf-1001@127.0.0.1:%1$d   or   sip:2001@127.0.0.1:%1$d
                  sipp:         sipp -sn uac -s conf-1001 -m 1 127.0.0.1:%1$d
                See the same as this table:
                  %2$s HGETALL %3$snode:asterisk-1      (a node's live state)
                  %2$s HGETALL %3$splacements           (which node hosts which room)
                  %2$s LRANGE %3$sdecisions 0 9         (the last decisions, with their reasons)
                  %2$s SET %3$scontrol:asterisk-2 draining   (drain a node; DEL to undrain)
                  status page:  http://127.0.0.1:%4$d/     JSON: curl -s http://127.0.0.1:%4$d/api/nodes
                  ./roundhouse nodes | rooms | decisions   (operator verbs; to drain through the router:
                    export ROUNDHOUSE_ADMIN_TOKEN=$(cat %5$s); ./roundhouse drain asterisk-2)
                  curl -s http://127.0.0.1:%4$d/metrics   (the router's metrics)
                Logs and configs: %6$s""".formatted(port, cli, prefix, adminPort, tokenFile.toAbsolutePath(),
                workDir.toAbsolutePath());
    }

    /** 127.0.0.2 (another host on loopback) when this system routes it, as Linux does; else 127.0.0.1. */
    private static String secondLoopback() {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            return probe.getLocalAddress().getHostAddress();
        } catch (IOException e) {
            return "127.0.0.1";
        }
    }

    /** A file only this user may read (the admin token of the demo's router). */
    private static Path writeSecret(Path file, String secret) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, secret + "\n");
        return file;
    }

    private static String secret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private synchronized <T extends AutoCloseable> T started(T resource) {
        started.add(resource);
        return resource;
    }

    /** Stops what was started, newest first (callers, agents, router, nodes, Redis). */
    private synchronized void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                System.err.println("demo: stopping " + started.get(i) + ": " + e.getMessage());
            }
        }
        started.clear();
    }
}
