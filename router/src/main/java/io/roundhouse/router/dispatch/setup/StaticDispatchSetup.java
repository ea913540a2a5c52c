package io.roundhouse.router.dispatch.setup;

import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.health.HealthProber;
import io.roundhouse.router.health.HealthSettings;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Round robin over the static {@code nodes:} (a config without {@code services:}) with the same health as live
 * dispatch: OPTIONS probing per the {@code health:} block and passive health from the INVITEs. Without probing, a dead
 * node cost every other call the failover timeout and nobody was told. {@link #close()} stops probing.
 */
public final class StaticDispatchSetup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StaticDispatchSetup.class);

    private final HealthProber prober;
    private final StaticRoundRobinDispatcher dispatcher;
    private final FarmHealth health;
    private final AtomicReference<Function<String, CompletionStage<Integer>>> sender = new AtomicReference<>();
    private final ScheduledExecutorService timers;
    /** Node id to URI of the nodes to probe: replaced by a reload. */
    private volatile Map<String, String> targets;

    private StaticDispatchSetup(List<StaticNode> nodes, HealthSettings settings) {
        this.targets = targetsOf(nodes);
        this.prober = new HealthProber(settings, () -> targets, uri -> sender.get().apply(uri), System::nanoTime);
        this.health = new FarmHealth(prober, () -> targets.keySet(), settings.inviteTimeouts(),
                settings.trialEvery(), System::nanoTime);
        prober.onDown(health::probedDown);
        this.dispatcher = new StaticRoundRobinDispatcher(nodes, health);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "health");
            t.setDaemon(true);
            return t;
        });
    }

    /** Builds the dispatcher; probing starts with {@link #probeWith} once the SIP engine that sends OPTIONS runs. */
    public static StaticDispatchSetup start(List<StaticNode> nodes, HealthSettings settings) {
        LOG.info("static round robin over {} nodes, health {}", nodes.size(), settings.enabled()
                ? "every " + settings.interval().toMillis() + "ms" : "off (passive health only)");
        return new StaticDispatchSetup(nodes, settings);
    }

    private static Map<String, String> targetsOf(List<StaticNode> nodes) {
        Map<String, String> targets = new LinkedHashMap<>();
        nodes.forEach(n -> targets.put(n.id(), n.uri()));
        return Collections.unmodifiableMap(targets);
    }

    /** Live reload: round robin over {@code nodes} from now on, probed with {@code settings}. */
    public void reconfigure(List<StaticNode> nodes, HealthSettings settings) {
        dispatcher.replaceNodes(nodes);
        targets = targetsOf(nodes);
        prober.reconfigure(settings);
        health.reconfigure(settings);
    }

    /** Starts OPTIONS probing with the SIP engine's sender (once; later calls are ignored). */
    public void probeWith(Function<String, CompletionStage<Integer>> sendOptions) {
        if (sender.compareAndSet(null, sendOptions)) {
            prober.start(timers);
        }
    }

    public StaticRoundRobinDispatcher dispatcher() {
        return dispatcher;
    }

    public HealthProber prober() {
        return prober;
    }

    @Override
    public void close() {
        prober.close();
        timers.shutdownNow();
    }
}
