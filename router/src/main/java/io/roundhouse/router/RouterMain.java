package io.roundhouse.router;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.admin.AdminException;
import io.roundhouse.router.admin.AdminServer;
import io.roundhouse.router.admin.Farm;
import io.roundhouse.router.admin.FarmGauges;
import io.roundhouse.router.admin.LiveFarm;
import io.roundhouse.router.admin.StaticFarm;
import io.roundhouse.router.config.AdminSettings;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.dispatch.setup.StaticDispatchSetup;
import io.roundhouse.router.reload.ReloadResult;
import io.roundhouse.router.reload.Reloader;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.metrics.ProcessMetrics;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * Command line entry point of the router: runs until SIGTERM or Ctrl-C, then drains and stops ({@link GracefulStop},
 * exit status 0); SIGHUP (and the admin API's {@code POST /api/reload}) reloads the config ({@link Reloader}).
 */
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
        Reloader reloader;
        AtomicReference<Router> started = new AtomicReference<>();
        try {
            PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
            ProcessMetrics.bindTo(registry); // for the life of the process
            Optional<AdminSettings> adminSettings = cfg.adminApi();
            metrics = cfg.metrics().endpoint()
                    .map(address -> MetricsEndpoint.start(registry, address.toSocketAddress())).orElse(null);
            // Live dispatch when the config has services:, else round robin over the static nodes.
            Farm farm;
            if (cfg.liveDispatch()) {
                dispatch = DispatchSetup.start(cfg, registry, null);
                LiveFarm live = new LiveFarm(dispatch, System::currentTimeMillis);
                new FarmGauges(registry, live).watch(dispatch);
                farm = live;
                DispatchSetup running = dispatch;
                reloader = new Reloader(config, System.getenv(), cfg, next -> {
                    running.reconfigure(next);
                    reloadTls(started.get());
                }, registry);
            } else {
                StaticDispatchSetup setup = StaticDispatchSetup.start(cfg.nodes(), cfg.health());
                roundRobin = setup;
                reloader = new Reloader(config, System.getenv(), cfg, next -> {
                    setup.reconfigure(next.nodes(), next.health());
                    reloadTls(started.get());
                }, registry);
                Reloader current = reloader;
                farm = new StaticFarm(() -> current.running().nodes(), setup.prober());
                new FarmGauges(registry, farm).every(java.time.Duration.ofSeconds(1));
            }
            Reloader reloads = reloader;
            admin = adminSettings.map(s -> AdminServer.start(s, farm, () -> adminReload(reloads), registry,
                    () -> started.get() != null)).orElse(null);
            if (dispatch != null) {
                router = Router.start(cfg, dispatch.dispatcher(), registry);
                dispatch.probeWith(router::sendOptions);
            } else {
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
        reloadOnHangup(reloader);
        DispatchSetup dispatchToClose = dispatch;
        StaticDispatchSetup roundRobinToClose = roundRobin;
        MetricsEndpoint metricsToClose = metrics;
        AdminServer adminToClose = admin;
        Reloader running = reloader;
        GracefulStop stop = new GracefulStop(router, () -> running.running().sip().drainTimeout(),
                () -> stop(adminToClose, dispatchToClose, roundRobinToClose, metricsToClose));
        CountDownLatch stopped = new CountDownLatch(1);
        stopOn(stop, stopped, "TERM", "INT");
        // Any other way out (System.exit elsewhere) still closes sockets and Redis; a no-op after a signal's stop.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.run("JVM shutdown"), "router-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * SIGTERM and Ctrl-C stop the router gracefully ({@link GracefulStop}) on a thread of their own, then let
     * {@link #call()} return 0: caught with {@code sun.misc.Signal} as HUP is, since the JVM's own handling of TERM
     * would run the shutdown hooks and exit with status 143.
     */
    private static void stopOn(GracefulStop stop, CountDownLatch stopped, String... signals) {
        for (String name : signals) {
            Signal.handle(new Signal(name), signal -> {
                Thread t = new Thread(() -> {
                    stop.run("SIG" + name);
                    stopped.countDown();
                }, "router-stop");
                t.start();
            });
        }
    }

    /** With every reload, renewed TLS certificates are read again (before the router runs there is nothing to do). */
    private static void reloadTls(Router router) {
        if (router != null) {
            router.reloadTls();
        }
    }

    /** {@code POST /api/reload}: what changed, or 422 with the reason the reload was refused. */
    private static String adminReload(Reloader reloader) {
        ReloadResult result = reloader.reload();
        if (!result.accepted()) {
            throw new AdminException(422, result.reason());
        }
        return result.toString();
    }

    /**
     * {@code kill -HUP} reloads the config and never stops the process (the JVM's default for HUP is to exit).
     * {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK 17) is the only way the JDK offers to catch
     * HUP; the handler only queues the reload on a thread of its own, off the JVM's signal thread.
     */
    static void reloadOnHangup(Reloader reloader) {
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "config-reload");
            t.setDaemon(true);
            return t;
        });
        Signal.handle(new Signal("HUP"), signal -> worker.execute(reloader::reload));
    }

    /** Netty's system property for its buffer leak detector, read once when its first buffer class loads. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    /**
     * The router runs without Netty's leak detector unless told otherwise: at its default level it tracks a sample of
     * buffers with a stack trace each, 1.5% of the SIP event loop under load (issue 15, docs/decisions.md). Every test
     * runs at the strictest level (router/pom.xml); an operator chasing a leak sets
     * {@code -Dio.netty.leakDetection.level=simple}.
     * Called first in {@link #main}, before any Netty class has read the property.
     */
    static void leakDetectionOffUnlessSet(java.util.Properties properties) {
        // io.netty.leakDetectionLevel: the older name of the property, which Netty still reads.
        if (properties.getProperty(LEAK_DETECTION) == null
                && properties.getProperty("io.netty.leakDetectionLevel") == null) {
            properties.setProperty(LEAK_DETECTION, "disabled");
        }
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
        leakDetectionOffUnlessSet(System.getProperties());
        // Exit with the status even when a library left a non-daemon thread behind (0 after a graceful stop).
        System.exit(new CommandLine(new RouterMain()).execute(args));
    }
}
