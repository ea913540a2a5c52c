package io.roundhouse.agent;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.agent.config.AgentConfig;
import io.roundhouse.agent.config.AgentConfigLoader;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.metrics.ProcessMetrics;
import io.roundhouse.shared.state.RedisState;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Command line entry point of the agent that runs beside each Asterisk. Runs until SIGTERM, which drains the node
 * (see {@link Agent#drainAndStop()}) before the JVM exits.
 */
@Command(name = "asterisk-agent", mixinStandardHelpOptions = true, version = "asterisk-agent (Roundhouse)",
        description = {"Roundhouse agent: publishes an Asterisk node's live state to Redis and runs its Stasis services.",
                "Runs until SIGTERM, which drains the node (no new calls, existing calls continue) and exits once it has"
                        + " no channels left or after drain.timeout."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped", "1:Redis (Sentinel) could not be set up",
                "2:invalid configuration (the message names the key)",
                "143:stopped by SIGTERM after draining"})
public final class AgentMain implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(AgentMain.class);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file"
            + " (see asterisk-agent/agent.example.yml).")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        AgentConfig settings;
        try {
            settings = new AgentConfigLoader(System.getenv()).load(config);
        } catch (ConfigException e) {
            System.err.println("asterisk-agent: invalid configuration " + config + ": " + e.getMessage());
            return 2;
        }
        RedisState redis;
        try {
            redis = new RedisState(settings.redis());
        } catch (RuntimeException e) {
            // Only a Sentinel set-up contacts Redis here; a plain URL connects lazily and is retried by the publisher.
            System.err.println("asterisk-agent: cannot set up Redis " + settings.redis() + ": " + e.getMessage());
            return 1;
        }
        PrometheusMeterRegistry meters = MetricsEndpoint.newRegistry();
        ProcessMetrics.bindTo(meters); // JVM and process meters, as the router has; for the life of the process
        MetricsEndpoint metrics = settings.metrics().map(address -> MetricsEndpoint.start(meters, address)).orElse(null);
        Agent agent;
        try {
            agent = new Agent(settings, Agent.Contract.of(redis), meters, Path.of("/proc"), Clock.systemUTC());
        } catch (ConfigException e) {
            redis.close();
            if (metrics != null) {
                metrics.close();
            }
            System.err.println("asterisk-agent: invalid configuration " + config + ": " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            redis.close();
            if (metrics != null) {
                metrics.close();
            }
            System.err.println("asterisk-agent: cannot start: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("SIGTERM: draining before exit");
            try {
                agent.drainAndStop();
            } finally {
                redis.close();
                if (metrics != null) {
                    metrics.close();
                }
                stopped.countDown();
            }
        }, "shutdown-drain"));
        agent.start();
        reloadOnSighup(agent);
        stopped.await();
        return 0;
    }

    /**
     * SIGHUP re-reads {@code --config} and puts its admission thresholds in force (see {@link Agent#reload}); a file
     * that does not validate is refused with the key and reason, and the running settings stay.
     */
    private void reloadOnSighup(Agent agent) {
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
            Thread reload = new Thread(() -> {
                log.info("SIGHUP: reloading {}", config);
                try {
                    agent.reload(new AgentConfigLoader(System.getenv()).load(config));
                } catch (ConfigException e) {
                    log.error("reload refused, running settings kept: invalid configuration {}: {}", config,
                            e.getMessage());
                } catch (RuntimeException e) {
                    log.error("reload failed, running settings kept: {}", e.toString());
                }
            }, "reload");
            reload.setDaemon(true);
            reload.start();
        });
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }
}
