package io.roundhouse.agent.services;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.agent.admission.Admission;
import io.roundhouse.agent.ari.AriEvent;
import io.roundhouse.agent.ari.AriEventStream;
import io.roundhouse.agent.ari.AriRequestException;
import io.roundhouse.agent.ari.AriRest;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.ari.HangupReason;
import io.roundhouse.agent.state.NodeLoad;
import io.roundhouse.agent.state.ServiceReadiness;
import io.roundhouse.agent.state.StateChangeListener;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.state.Placements;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's hands: the ARI connection and the Stasis services named by {@code X-Exec-App}. Implements
 * {@link ServiceReadiness} for the publisher: which applications are registered over ARI now, the rooms hosted, and
 * the services that take new calls. Tells the publisher of every change through its {@link StateChangeListener}.
 *
 * <p>Threads: the WebSocket's listener only routes events (never blocks); service callbacks, which block on ARI REST,
 * run on a small worker pool, one call's callbacks in order. A service that throws has its channel hung up here and
 * the host carries on.
 */
public final class ServiceHost implements ServiceReadiness, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceHost.class);
    /** Service callbacks block on loopback HTTP for a few ms each; a handful of threads carries hundreds of joins/s. */
    static final int WORKERS = 8;
    /** How often the services' housekeeping runs ({@link StasisService#maintain()}). */
    public static final Duration MAINTAIN_EVERY = Duration.ofSeconds(10);

    private final AriSettings ari;
    private final StateChangeListener changes;
    private final AriRest rest;
    private final Map<String, StasisService> services = new LinkedHashMap<>();
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;
    private volatile AriEventStream stream;
    private final MeterRegistry meters;
    private final Counter ariLost;
    private boolean started; // guarded by this
    private volatile ScheduledExecutorService applicationsPoller;
    private final ExternalApps externalApps;
    private final java.util.concurrent.atomic.AtomicBoolean maintaining = new java.util.concurrent.atomic.AtomicBoolean();

    public ServiceHost(AriSettings ari, ServicesSettings settings, NodeLoad load, Placements placements, String nodeId,
                       StateChangeListener changes) {
        this(ari, settings, load, placements, nodeId, changes, new ServiceCatalog());
    }

    /** With another catalog of services, and meters nobody reads (tests). */
    public ServiceHost(AriSettings ari, ServicesSettings settings, NodeLoad load, Placements placements, String nodeId,
                       StateChangeListener changes, ServiceCatalog catalog) {
        this(ari, settings, load, placements, nodeId, changes, catalog,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** @param meters where the call and ARI connection metrics go */
    public ServiceHost(AriSettings ari, ServicesSettings settings, NodeLoad load, Placements placements, String nodeId,
                       StateChangeListener changes, ServiceCatalog catalog, MeterRegistry meters) {
        this.meters = meters;
        this.ari = ari;
        this.changes = changes;
        for (String configured : settings.byName().keySet()) {
            if (!ari.apps().contains(configured) && !ari.externalApps().contains(configured)) {
                throw new ConfigException("services." + configured, "not listed in ari.apps " + ari.apps()
                        + " nor ari.external-apps " + ari.externalApps()
                        + " (expected: thresholds for an application the node runs)");
            }
        }
        this.rest = new AriRest(ari);
        ServiceContext context = new ServiceContext(rest, load, placements, nodeId, changes);
        try {
            List<String> apps = ari.apps();
            for (int i = 0; i < apps.size(); i++) {
                services.put(apps.get(i), catalog.create("ari.apps[" + i + "]", settings.of(apps.get(i)), context));
            }
        } catch (RuntimeException e) {
            rest.close();
            throw e;
        }
        Map<String, Admission> external = new LinkedHashMap<>();
        for (String app : ari.externalApps()) {
            ServiceSettings own = settings.of(app);
            own.requireKnownOptions(Set.of());
            external.put(app, new Admission(app, own.thresholds(), load));
        }
        this.externalApps = new ExternalApps(ari.externalApps(), external, rest::registeredApps, changes);
        this.ariLost = Counter.builder("roundhouse.agent.ari.connection.losses")
                .description("ARI event WebSockets that were up and went down (each is followed by a reconnect after"
                        + " backoff)").register(meters);
        Gauge.builder("roundhouse.agent.ari.connected", this, h -> h.stream != null
                        && !h.stream.registeredApps().isEmpty() ? 1 : 0)
                .description("1 while the agent's ARI WebSocket is up with its applications registered, else 0")
                .register(meters);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(named("ari-ws"));
        this.workers = Executors.newFixedThreadPool(WORKERS, named("stasis"));
    }

    /** Connects the ARI WebSocket (in the background, reconnecting until {@link #close}). */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("ServiceHost already started");
        }
        started = true;
        if (!ari.externalApps().isEmpty()) {
            // Off the WebSocket's thread (which only routes) and off the Stasis workers (which answer calls).
            ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(named("ari-apps-poll"));
            applicationsPoller = poller;
            poller.scheduleWithFixedDelay(externalApps::poll, 0, ari.applicationsPoll().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        scheduler.scheduleWithFixedDelay(() -> workers.execute(this::maintain), MAINTAIN_EVERY.toMillis(),
                MAINTAIN_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        if (ari.apps().isEmpty()) {
            return; // only operators' own applications: no WebSocket of the agent's own
        }
        stream = new AriEventStream(ari, scheduler, new AriEventStream.Listener() {
            @Override
            public void onEvent(AriEvent event) {
                route(event);
            }

            private boolean up;

            @Override
            public void onRegisteredAppsChanged(Set<String> registeredApps) {
                if (up && registeredApps.isEmpty()) {
                    ariLost.increment();
                }
                up = !registeredApps.isEmpty();
                changes.stateChanged();
                if (!registeredApps.isEmpty()) {
                    workers.execute(() -> {
                        confirmRegistration(registeredApps);
                        forgetVanishedCalls();
                    });
                }
            }
        });
        stream.start();
    }

    /** Runs every service's housekeeping, one round at a time; a failing one is logged and the others run. */
    void maintain() {
        if (!maintaining.compareAndSet(false, true)) {
            return;
        }
        try {
            for (StasisService service : services.values()) {
                try {
                    service.maintain();
                } catch (RuntimeException e) {
                    log.warn("{}: housekeeping failed: {}", service.name(), e.toString());
                }
            }
        } finally {
            maintaining.set(false);
        }
    }

    /**
     * Puts the admission thresholds of {@code settings} in force (SIGHUP), for the agent's services and the external
     * applications alike; returns what changed, as {@code service: old -> new} lines for the log. Only thresholds are
     * reloaded: a new application or option needs a restart (the WebSocket registers the applications once).
     */
    public List<String> reloadThresholds(ServicesSettings settings) {
        Map<String, Admission> all = new LinkedHashMap<>();
        services.values().forEach(s -> s.admission().ifPresent(a -> all.put(s.name(), a)));
        all.putAll(externalApps.admissions());
        List<String> changed = new java.util.ArrayList<>();
        all.forEach((name, admission) -> {
            var next = settings.of(name).thresholds();
            if (!next.equals(admission.thresholds())) {
                changed.add(name + ": " + admission.thresholds() + " -> " + next);
                admission.thresholds(next);
            }
        });
        if (!changed.isEmpty()) {
            changes.stateChanged(); // accepting may differ now
        }
        return changed;
    }

    /** The agent's own applications registered over its WebSocket, and the operators' own that Asterisk lists. */
    @Override
    public Set<String> registeredApps() {
        AriEventStream s = stream;
        Set<String> external = externalApps.connected();
        if (s == null) {
            return external;
        }
        if (external.isEmpty()) {
            return s.registeredApps();
        }
        Set<String> all = new HashSet<>(s.registeredApps());
        all.addAll(external);
        return Set.copyOf(all);
    }

    @Override
    public Map<String, Integer> rooms() {
        Map<String, Integer> all = new HashMap<>();
        for (StasisService service : services.values()) {
            all.putAll(service.rooms());
        }
        return Map.copyOf(all);
    }

    @Override
    public Set<String> acceptingServices() {
        Set<String> registered = registeredApps();
        Set<String> accepting = new HashSet<>(externalApps.accepting());
        for (StasisService service : services.values()) {
            if (registered.contains(service.name()) && service.acceptsNewCalls()) {
                accepting.add(service.name());
            }
        }
        return Set.copyOf(accepting);
    }

    /** Runs on the WebSocket's thread: routes only, never blocks. */
    private void route(AriEvent event) {
        switch (event.type()) {
            case "StasisStart" -> {
                StasisService service = services.get(event.application());
                if (service == null || event.channelId().isEmpty()) {
                    log.warn("ARI: StasisStart for application '{}' channel '{}' that no service runs; ignored",
                            event.application(), event.channelId());
                    return;
                }
                Call call = new Call(event.channelId(), event.application(), event.args(), rest);
                calls.put(call.channelId(), call);
                call.then(() -> start(service, call), workers);
            }
            case "StasisEnd" -> {
                Call call = calls.remove(event.channelId());
                if (call == null) {
                    log.debug("ARI: StasisEnd for unknown channel {}", event.channelId());
                    return;
                }
                end(call);
            }
            default -> log.trace("ARI: {} for channel {}", event.type(), event.channelId());
        }
    }

    private void end(Call call) {
        call.markEnded();
        StasisService service = services.get(call.application());
        call.then(() -> {
            try {
                service.onEnd(call);
            } catch (RuntimeException e) {
                log.error("{}: failed on the end of {}", service.name(), call, e);
            }
        }, workers);
    }

    private void start(StasisService service, Call call) {
        try {
            service.onStart(call);
            count(service, call.answered() ? "admitted" : "bounced");
        } catch (Exception | LinkageError | AssertionError e) {
            // A faulty service must not leave the caller hanging nor take the agent down.
            HangupReason reason = call.answered() ? HangupReason.NORMAL : HangupReason.CONGESTION;
            count(service, "failed");
            log.error("{}: failed on {}; hanging up with {}", service.name(), call, reason.ariName(), e);
            try {
                call.hangup(reason);
            } catch (AriRequestException h) {
                if (h.status() == 404) {
                    log.debug("{}: channel {} was already gone", service.name(), call.channelId());
                } else {
                    log.warn("{}: could not hang up {}: {}", service.name(), call, h.getMessage());
                }
            }
        }
    }

    /** One call's outcome: admitted (answered), bounced (refused before answer) or failed (the service threw). */
    private void count(StasisService service, String outcome) {
        Counter.builder("roundhouse.agent.calls").tag("service", service.name()).tag("outcome", outcome)
                .description("Calls that entered a Stasis service of the agent, by outcome: admitted (answered),"
                        + " bounced (refused before answer, 503 to the router) or failed (the service threw)")
                .register(meters).increment();
    }

    /**
     * Asks Asterisk which applications it has registered ({@code GET /applications}) and says so in the log when one
     * of ours is missing: a diagnostic for operators (e.g. a proxy between agent and Asterisk that dropped the query).
     * Readiness itself follows the WebSocket, which is what Asterisk keys the registration on.
     */
    private void confirmRegistration(Set<String> registeredApps) {
        try {
            List<String> listed = rest.applications();
            for (String app : registeredApps) {
                if (!listed.contains(app)) {
                    log.warn("ARI: WebSocket is up but Asterisk does not list application {} (listed: {})", app, listed);
                }
            }
        } catch (AriRequestException e) {
            log.warn("ARI: could not list applications after connecting: {}", e.getMessage());
        }
    }

    /**
     * After a reconnect: a channel that hung up while the WebSocket was down never sends its StasisEnd here, so ask
     * Asterisk which channels exist and end the calls of the others.
     */
    private void forgetVanishedCalls() {
        // Taken before the listing: a call that starts after it is not in the listing and must not be ended.
        List<String> known = List.copyOf(calls.keySet());
        if (known.isEmpty()) {
            return;
        }
        Set<String> live;
        try {
            live = new HashSet<>(rest.channelIds());
        } catch (AriRequestException e) {
            log.warn("ARI: could not list channels after reconnect: {}", e.getMessage());
            return;
        }
        for (String channelId : known) {
            if (!live.contains(channelId)) {
                Call call = calls.remove(channelId);
                if (call != null) {
                    log.info("ARI: {} ended while the WebSocket was down", call);
                    end(call);
                }
            }
        }
    }

    @Override
    public void close() {
        AriEventStream s = stream;
        if (s != null) {
            s.close();
        }
        scheduler.shutdownNow();
        ScheduledExecutorService poller = applicationsPoller;
        if (poller != null) {
            poller.shutdownNow();
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Stasis workers still busy after 5 s; interrupting them");
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        rest.close();
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
