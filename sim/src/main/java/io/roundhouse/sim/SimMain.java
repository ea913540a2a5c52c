package io.roundhouse.sim;

import io.roundhouse.sim.capture.Captures;
import io.roundhouse.sim.farm.Farm;
import io.roundhouse.sim.farm.SimulatedAsterisk;
import io.roundhouse.sim.node.NodeSettings;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line of the simulator jar: {@code nodes} runs a farm of simulated Asterisk nodes until Ctrl-C. */
@Command(name = "roundhouse-sim", mixinStandardHelpOptions = true,
        subcommands = {SimMain.Nodes.class, io.roundhouse.sim.demo.DemoCommand.class},
        description = "Roundhouse farm simulator: simulated Asterisk 22 nodes (SIP, AMI, ARI) and the demo.")
public final class SimMain implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    /** Runs N simulated nodes on consecutive ports until stopped. */
    @Command(name = "nodes", mixinStandardHelpOptions = true,
            description = "Run simulated Asterisk nodes; point a real asterisk-agent at each (ami.port, ari.url).")
    static final class Nodes implements Callable<Integer> {
        @Option(names = "--count", defaultValue = "3", description = "Nodes to run (default ${DEFAULT-VALUE}).")
        int count;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default ${DEFAULT-VALUE}).")
        String host;
        @Option(names = "--sip-port", defaultValue = "5081",
                description = "SIP port of the first node; the next ones count up (default ${DEFAULT-VALUE}).")
        int sipPort;
        @Option(names = "--ami-port", defaultValue = "5038", description = "AMI port of the first node (default ${DEFAULT-VALUE}).")
        int amiPort;
        @Option(names = "--ari-port", defaultValue = "8088", description = "ARI port of the first node (default ${DEFAULT-VALUE}).")
        int ariPort;
        @Option(names = "--hold", defaultValue = "0s",
                description = "End answered calls after this long (0s: wait for the caller's BYE).")
        String hold;
        @Option(names = "--capacity", defaultValue = "0", description = "Most channels per node (0: no limit).")
        int capacity;
        @Option(names = "--latency", defaultValue = "0s", description = "Added before each SIP and ARI request.")
        String latency;

        @Override
        public Integer call() throws InterruptedException {
            String amiSecret = requiredEnv("AMI_SECRET");
            String ariPassword = requiredEnv("ARI_PASSWORD");
            if (amiSecret == null || ariPassword == null) {
                return 2;
            }
            Duration holdTime = io.roundhouse.shared.config.Durations.parse("hold", hold);
            Duration delay = io.roundhouse.shared.config.Durations.parse("latency", latency);
            Farm farm = new Farm(2);
            for (int i = 0; i < count; i++) {
                NodeSettings settings = new NodeSettings("asterisk-" + (i + 1), host, sipPort + i, amiPort + i,
                        ariPort + i, "roundhouse", amiSecret, "roundhouse", ariPassword, holdTime, capacity, delay);
                SimulatedAsterisk node = farm.add(settings);
                System.out.printf("%s: sip %s  ami %s:%d  ari %s%n", node.id(), node.node().sipUri(), host,
                        node.ami().port(), node.ari().url());
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                farm.close();
                stopped.countDown();
            }, "sim-shutdown"));
            stopped.await();
            return 0;
        }

        private static String requiredEnv(String name) {
            String value = System.getenv(name);
            if (value == null || value.isEmpty()) {
                System.err.println("roundhouse-sim nodes: set " + name + " (the agents use the same value)");
                return null;
            }
            return value;
        }
    }

    public static void main(String[] args) {
        try {
            Captures.requireBundled();
        } catch (IllegalStateException e) {
            System.err.println("roundhouse-sim: " + e.getMessage());
            System.exit(2);
        }
        System.exit(new CommandLine(new SimMain()).execute(args));
    }
}
