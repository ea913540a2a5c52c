package io.roundhouse.router.dispatch.setup;

import io.roundhouse.router.dispatch.LiveDispatcher;
import io.roundhouse.router.dispatch.DecisionLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.dispatch.view.Eligibility;
import io.roundhouse.router.dispatch.view.LocalFullMarks;
import io.roundhouse.router.dispatch.view.NodeViewBuilder;
import io.roundhouse.router.dispatch.view.NodeViewSource;
import io.roundhouse.router.dispatch.view.PlacementCache;
import io.roundhouse.router.dispatch.view.RedisStatus;
import io.roundhouse.router.dispatch.view.StaticNode;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.health.HealthProber;
import io.roundhouse.router.health.HealthSettings;
import io.roundhouse.router.services.ServiceRules;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.NodeControls;
import io.roundhouse.shared.state.NodeStates;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.state.ServiceMarks;
import io.roundhouse.shared.state.StateEvents;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and runs live dispatch from the router's config: the node view and its refresh thread, OPTIONS probing,
 * the Redis work executor and the {@link LiveDispatcher}. {@link #close()} stops all of it.
 */
public final class DispatchSetup implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DispatchSetup.class);

    /** Redis work waiting for a thread; beyond this an affinity call is placed locally rather than queued. */
    static final int REDIS_QUEUE_LIMIT = 10_000;

    /** The parts of the shared state contract dispatch uses. */
    public record StateAccess(NodeStates nodes, Placements placements, ServiceMarks marks, StateEvents events,
                              Consumer<List<String>> decisions, NodeControls controls,
                              io.roundhouse.shared.state.DecisionLog history) {}

    private final NodeViewSource view;
    private final HealthProber prober;
    private final FarmHealth health;
    private final AtomicReference<Function<String, CompletionStage<Integer>>> sender;
    private final DecisionLog decisions;
    private final LiveDispatcher dispatcher;
    private final ScheduledExecutorService timers;
    private final ThreadPoolExecutor redisExecutor;
    private final List<AutoCloseable> extra;
    private final StateAccess state;
    private final DispatchSettings settings;

    private DispatchSetup(NodeViewSource view, HealthProber prober, FarmHealth health,
                          AtomicReference<Function<String, CompletionStage<Integer>>> sender, DecisionLog decisions,
                          LiveDispatcher dispatcher, ScheduledExecutorService timers, ThreadPoolExecutor redisExecutor,
                          List<AutoCloseable> extra, StateAccess state, DispatchSettings settings) {
        this.state = state;
        this.settings = settings;
        this.view = view;
        this.prober = prober;
        this.health = health;
        this.sender = sender;
        this.decisions = decisions;
        this.dispatcher = dispatcher;
        this.timers = timers;
        this.redisExecutor = redisExecutor;
        this.extra = extra;
    }

    /**
     * Opens the contract on the config's {@code redis:} block and starts dispatch on it; the Redis connection is
     * closed with this setup. Redis need not be up: dispatch starts on the static nodes and picks up the farm when
     * Redis answers.
     */
    public static DispatchSetup start(RouterConfig config, MeterRegistry registry,
                                      Function<String, CompletionStage<Integer>> sendOptions) {
        return start(config, registry, sendOptions, config.redis());
    }

    /** As {@link #start(RouterConfig, MeterRegistry, Function)} with explicit Redis settings (tests, other prefixes). */
    public static DispatchSetup start(RouterConfig config, MeterRegistry registry,
                                      Function<String, CompletionStage<Integer>> sendOptions, RedisSettings redis) {
        RedisState state = new RedisState(redis, Math.max(1, config.dispatch().decisionsKept())).instrument(registry);
        try {
            return start(config, registry, sendOptions, access(state), state);
        } catch (RuntimeException e) {
            state.close();
            throw e;
        }
    }

    /** The parts of a {@link RedisState} dispatch uses. */
    public static StateAccess access(RedisState state) {
        return new StateAccess(state.nodes(), state.placements(), state.marks(), state.events(),
                state.decisions()::recordAll, state.controls(), state.decisions());
    }

    /**
     * Starts the view (one synchronous read of Redis, so the first call sees the farm), probing and the dispatcher
     * on the config's {@code nodes}, {@code services}, {@code health} and {@code dispatch} sections.
     *
     * @param sendOptions sends a SIP OPTIONS to a URI and completes with the final status (the router's); null to
     *                    give it later with {@link #probeWith}
     * @param state       the contract's Redis implementations
     * @param closeAlso   closed after dispatch stops (e.g. the Redis connection pool)
     */
    public static DispatchSetup start(RouterConfig config, MeterRegistry registry,
                                      Function<String, CompletionStage<Integer>> sendOptions, StateAccess state,
                                      AutoCloseable... closeAlso) {
        if (!config.liveDispatch()) {
            throw new IllegalArgumentException("live dispatch needs a services: list");
        }
        List<StaticNode> statics = staticNodes(config);
        ServiceRules rules = config.services();
        HealthSettings healthSettings = config.health();
        DispatchSettings settings = config.dispatch();

        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("dispatch-timers"));
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor redisExecutor = new ThreadPoolExecutor(settings.redisThreads(), settings.redisThreads(),
                30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(REDIS_QUEUE_LIMIT),
                r -> daemonThread(r, "dispatch-redis-" + n.incrementAndGet()));
        redisExecutor.allowCoreThreadTimeOut(true);

        RedisStatus redisStatus = new RedisStatus();
        PlacementCache cache = new PlacementCache();
        NodeViewSource view = new NodeViewSource(new NodeViewBuilder(statics), state.nodes(), state.marks(),
                state.placements(), state.events(), cache, redisStatus, settings.refreshInterval(),
                settings.outageHoldover(), System::currentTimeMillis, state.controls(), settings.placementReclaimAfter());
        // The SIP engine that sends OPTIONS is usually started after dispatch (it needs the dispatcher): probing
        // starts when it is given (probeWith); until then nodes are UNKNOWN, which takes calls.
        AtomicReference<Function<String, CompletionStage<Integer>>> sender = new AtomicReference<>();
        HealthProber prober = new HealthProber(healthSettings, () -> view.current().uris(),
                uri -> sender.get().apply(uri), System::nanoTime);
        LocalFullMarks localMarks = new LocalFullMarks(System::nanoTime);
        FarmHealth health = new FarmHealth(prober, () -> view.current().byId().keySet(),
                healthSettings.inviteTimeouts(), healthSettings.trialEvery(), System::nanoTime);
        prober.onDown(health::probedDown);
        Eligibility eligibility = new Eligibility(settings.requireAgent(), health, localMarks);
        DecisionLog decisions = new DecisionLog(registry, settings.decisionsKept() == 0 ? null : state.decisions(),
                redisStatus::isUp);
        LiveDispatcher dispatcher = new LiveDispatcher(rules, view, health, eligibility, localMarks, state.placements(),
                state.marks(), redisExecutor, settings, decisions, registry, System::nanoTime,
                System::currentTimeMillis);

        Gauge.builder("roundhouse.dispatch.redis.up", redisStatus, s -> s.isUp() ? 1 : 0)
                .description("1 while Redis answers, 0 while dispatch runs on its last known view").register(registry);
        Gauge.builder("roundhouse.dispatch.nodes", view, v -> v.current().nodes().size())
                .description("nodes in the view (static and agent-published)").register(registry);
        Gauge.builder("roundhouse.dispatch.nodes.down", view,
                v -> v.current().nodes().stream().filter(node -> health.isDown(node.id())).count())
                .description("nodes held down by OPTIONS probing or by INVITEs without answer").register(registry);
        Gauge.builder("roundhouse.dispatch.placements.unreconciled", cache, c -> c.unreconciled().size())
                .description("placements decided locally during a Redis outage, not yet in Redis").register(registry);
        Gauge.builder("roundhouse.dispatch.calls.in-progress", dispatcher, LiveDispatcher::callsInProgress)
                .register(registry);

        // A node new to the view is probed at once, not at the next tick.
        view.onChange(v -> {
            if (sender.get() == null || !healthSettings.enabled()) {
                return;
            }
            try {
                timers.execute(prober::tick);
            } catch (RejectedExecutionException closing) {
                LOG.debug("probe after view change not queued: closing");
            }
        });
        view.start();
        timers.scheduleWithFixedDelay(() -> {
            int swept = dispatcher.sweep();
            if (swept > 0) {
                LOG.debug("forgot {} calls without outcome", swept);
            }
        }, 10, 10, TimeUnit.SECONDS);
        LOG.info("live dispatch: {} services ({}), {} static nodes, health {}, max attempts {}",
                rules.rules().size(), rules.rules().stream().map(r -> r.name() + "/" + r.strategy().configName())
                        .collect(Collectors.joining(", ")), statics.size(),
                healthSettings.enabled() ? "every " + healthSettings.interval().toMillis() + "ms" : "off",
                settings.maxAttempts());
        DispatchSetup setup = new DispatchSetup(view, prober, health, sender, decisions, dispatcher, timers, redisExecutor,
                List.of(closeAlso), state, settings);
        if (sendOptions != null) {
            setup.probeWith(sendOptions);
        }
        return setup;
    }

    /** The config's nodes that have a URI, as the view's static nodes (the others are known by their agents). */
    public static List<StaticNode> staticNodes(RouterConfig config) {
        return config.nodes().stream().filter(n -> n.uri() != null)
                .map(n -> new StaticNode(n.id(), n.uri(), n.weight())).toList();
    }

    /**
     * Live reload: probing timings, the static nodes and their weights (the view is rebuilt at once), then the
     * services and the dispatch settings read per call. The caller ({@code reload.Reloader}) has checked that
     * nothing else changed.
     */
    public void reconfigure(RouterConfig next) {
        prober.reconfigure(next.health());
        health.reconfigure(next.health());
        view.replaceStatics(staticNodes(next));
        dispatcher.reconfigure(next.services(), next.dispatch());
    }

    /** Starts OPTIONS probing with the SIP engine's sender (once; later calls are ignored). */
    public void probeWith(Function<String, CompletionStage<Integer>> sendOptions) {
        if (sender.compareAndSet(null, sendOptions)) {
            prober.start(timers);
        }
    }

    public LiveDispatcher dispatcher() {
        return dispatcher;
    }

    public NodeViewSource view() {
        return view;
    }

    public HealthProber prober() {
        return prober;
    }

    /** The shared state dispatch runs on (operators' controls, placements, the decision history). */
    public StateAccess state() {
        return state;
    }

    public DispatchSettings settings() {
        return settings;
    }

    @Override
    public void close() {
        prober.close();
        view.close();
        timers.shutdownNow();
        redisExecutor.shutdown();
        try {
            if (!redisExecutor.awaitTermination(2, TimeUnit.SECONDS)) {
                redisExecutor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            redisExecutor.shutdownNow();
        }
        decisions.close();
        for (AutoCloseable c : extra) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", c, e.toString(), e);
            }
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> daemonThread(r, name);
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
