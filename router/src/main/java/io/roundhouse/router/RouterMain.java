package io.roundhouse.router;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.admin.AdminServer;
import io.roundhouse.router.admin.AdminSettings;
import io.roundhouse.router.admin.Farm;
import io.roundhouse.router.admin.FarmGauges;
import io.roundhouse.router.admin.LiveFarm;
import io.roundhouse.router.admin.StaticFarm;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.DispatchSetup;
import io.roundhouse.router.dispatch.StaticDispatchSetup;
import io.roundhouse.router.dispatch.config.YamlSection;
import io.roundhouse.router.health.HealthSettings;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.metrics.ProcessMetrics;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line entry point of the router: runs until SIGTERM or Ctrl-C, then stops cleanly. */
@Command(name = "router", mixinStandardHelpOptions = true,
        description = "Roundhouse router: a transaction-stateful SIP proxy that dispatches calls across Asterisk nodes.")
public final class RouterMain implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        RouterConfig cfg;
        try {
            cfg = RouterConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("router: bad configuration " + config + ": " + e.getMessage());
            return 2;
        }
        Router router;
        DispatchSetup dispatch = null;
        StaticDispatchSetup roundRobin = null;
        MetricsEndpoint metrics = null;
        AdminServer admin = null;
        AtomicReference<Router> started = new AtomicReference<>();
        try {
            PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
            ProcessMetrics.bindTo(registry); // for the life of the process
            Optional<AdminSettings> adminSettings = AdminSettings.fromConfig(cfg.tree().get("admin"));
            metrics = MetricsEndpoint.listenAddress(cfg.tree().get("metrics"))
                    .map(address -> MetricsEndpoint.start(registry, address)).orElse(null);
            // Live dispatch when the config has services:, else round robin over the static nodes.
            if (DispatchSetup.wanted(cfg.tree())) {
                dispatch = DispatchSetup.start(cfg.tree(), registry, null);
                LiveFarm farm = new LiveFarm(dispatch, System::currentTimeMillis);
                new FarmGauges(registry, farm).watch(dispatch);
                admin = adminSettings.map(s -> AdminServer.start(s, farm, null, registry, () -> started.get() != null))
                        .orElse(null);
                router = Router.start(cfg, dispatch.dispatcher(), registry);
                dispatch.probeWith(router::sendOptions);
            } else {
                Farm farm = new StaticFarm(cfg.nodes());
                admin = adminSettings.map(s -> AdminServer.start(s, farm, null, registry, () -> started.get() != null))
                        .orElse(null);
                roundRobin = StaticDispatchSetup.start(cfg.nodes(),
                        HealthSettings.parse(YamlSection.of("", cfg.tree()).section("health")));
                router = Router.start(cfg, roundRobin.dispatcher(), registry);
                roundRobin.probeWith(router::sendOptions);
            }
            started.set(router);
        } catch (ConfigException e) {
            System.err.println("router: bad configuration " + config + ": " + e.getMessage());
            stop(admin, dispatch, roundRobin, metrics);
            return 2;
        } catch (RuntimeException e) {
            System.err.println("router: cannot start: " + e.getMessage());
            stop(admin, dispatch, roundRobin, metrics);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        DispatchSetup dispatchToClose = dispatch;
        StaticDispatchSetup roundRobinToClose = roundRobin;
        MetricsEndpoint metricsToClose = metrics;
        AdminServer adminToClose = admin;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            stop(adminToClose, dispatchToClose, roundRobinToClose, metricsToClose);
            stopped.countDown();
        }, "router-shutdown"));
        stopped.await();
        return 0;
    }

    private static void stop(AdminServer admin, DispatchSetup dispatch, StaticDispatchSetup roundRobin,
                             MetricsEndpoint metrics) {
        if (admin != null) {
            admin.close();
        }
        if (dispatch != null) {
            dispatch.close();
        }
        if (roundRobin != null) {
            roundRobin.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    public static void main(String[] args) {
        int code = new CommandLine(new RouterMain()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
