package io.roundhouse.agent;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.agent.ami.AmiLink;
import io.roundhouse.agent.ami.AsteriskMirror;
import io.roundhouse.agent.config.AgentConfig;
import io.roundhouse.agent.cpu.AsteriskProcess;
import io.roundhouse.agent.cpu.CpuGauge;
import io.roundhouse.agent.drain.DrainControl;
import io.roundhouse.agent.publish.NodeStateComposer;
import io.roundhouse.agent.publish.StatePublisher;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.agent.state.NoServices;
import io.roundhouse.agent.state.NodeLoad;
import io.roundhouse.agent.state.ServiceReadiness;
import io.roundhouse.agent.services.ServiceCatalog;
import io.roundhouse.agent.services.ServiceHost;
import io.roundhouse.shared.state.NodeControls;
import io.roundhouse.shared.state.NodeStates;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.state.StateEvents;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent: wires the eyes (AMI mirror, CPU gauge), the hands (ARI services, when configured), the drain control and
 * the publisher, and owns their threads. {@link #drainAndStop()} is what SIGTERM runs.
 */
public final class Agent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Agent.class);

    /** The parts of the shared state contract the agent uses. */
    public record Contract(NodeStates nodes, NodeControls controls, StateEvents events, Placements placements) {

        /** The contract views of one {@link RedisState}. */
        public static Contract of(RedisState state) {
            return new Contract(state.nodes(), state.controls(), state.events(), state.placements());
        }
    }

    private final AgentConfig config;
    private final AsteriskMirror mirror;
    private final CpuGauge cpu;
    private final NodeLoad load;
    private final ServiceReadiness readiness;
    private final DrainControl drain;
    private final StatePublisher publisher;
    private final AmiLink ami;
    private final ScheduledExecutorService sampler;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param procRoot the proc file system ({@code /proc})
     */
    public Agent(AgentConfig config, Contract contract, MeterRegistry meters, Path procRoot, Clock wallClock) {
        this.config = config;
        this.mirror = new AsteriskMirror(this::stateChanged);
        this.cpu = new CpuGauge(procRoot, new AsteriskProcess(procRoot, config.node().asteriskPidFile(),
                config.ami().port()));
        // The drain control reads the load (channels) and the load reads the drain status: the method reference
        // breaks the cycle by reading the field at call time.
        this.load = new LiveNodeLoad(mirror, cpu, this::draining);
        this.readiness = services(config, contract.placements(), meters);
        this.drain = new DrainControl(load, this::statusChanged, System::nanoTime);
        NodeStateComposer composer = new NodeStateComposer(config.node(), load, mirror, readiness, agentVersion(),
                wallClock);
        this.publisher = new StatePublisher(config.node().id(), contract.nodes(), contract.controls(),
                contract.events(), composer, drain, config.publish(), System::nanoTime);
        this.ami = new AmiLink(config.ami(), mirror, meters);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpu-sampler");
            t.setDaemon(true);
            return t;
        });
        // Prometheus naming: base units (ratios, seconds), counters end in _total (added by the registry), help text;
        // a value the agent does not know is NaN, not a stale or zero number.
        Gauge.builder("roundhouse.agent.channels", load, l -> l.asteriskReachable() ? l.channels() : Double.NaN)
                .description("Live call channels of this node's Asterisk (NaN while it is unreachable over AMI)")
                .register(meters);
        Gauge.builder("roundhouse.agent.cpu.host", cpu, c -> c.hostKnown() ? c.hostPercent() / 100 : Double.NaN)
                .baseUnit("ratio").description("Smoothed host CPU use, 0..1 (NaN before a representative sample)")
                .register(meters);
        Gauge.builder("roundhouse.agent.cpu.asterisk", cpu, c -> c.asteriskPercent().orElse(Double.NaN) / 100)
                .baseUnit("ratio").description("Smoothed CPU use of this node's Asterisk process, 0..1 of the host")
                .register(meters);
        Gauge.builder("roundhouse.agent.ami.connected", load, l -> l.asteriskReachable() ? 1 : 0)
                .description("1 while the agent is logged in to AMI with a current snapshot, else 0").register(meters);
        Gauge.builder("roundhouse.agent.published.state.age", publisher, p -> p.lastWritten()
                        .map(s -> Math.max(0, wallClock.millis() - s.updatedAtMillis()) / 1000.0).orElse(Double.NaN))
                .baseUnit("seconds").description("Age of the node state Redis last accepted from this agent")
                .register(meters);
    }

    private ServiceReadiness services(AgentConfig config, Placements placements, MeterRegistry meters) {
        if (config.ari().isEmpty()) {
            log.warn("no ari section: this node registers no Stasis application and takes no call that needs one");
            return new NoServices();
        }
        return new ServiceHost(config.ari().get(), config.services(), load, placements, config.node().id(),
                this::stateChanged, new ServiceCatalog(), meters);
    }

    public void start() {
        log.info("agent {} starting: AMI {}:{}, publishing every {} with TTL {}", config.node().id(),
                config.ami().host(), config.ami().port(), config.publish().interval(), config.publish().ttl());
        sampler.scheduleAtFixedRate(this::sampleCpu, 0, 1, TimeUnit.SECONDS);
        ami.start();
        if (readiness instanceof ServiceHost host) {
            host.start();
        }
        publisher.start();
    }

    /**
     * SIGHUP: puts the admission thresholds of a newly read configuration in force at once. Every other setting is
     * read at start only; a change to one is logged as needing a restart, so the operator is never left guessing.
     */
    public void reload(AgentConfig next) {
        if (readiness instanceof ServiceHost host) {
            List<String> changed = host.reloadThresholds(next.services());
            log.info("reload: admission thresholds {}", changed.isEmpty() ? "unchanged" : "now " + changed);
        }
        List<String> restart = new java.util.ArrayList<>();
        if (!next.node().equals(config.node())) {
            restart.add("node");
        }
        if (!next.redis().equals(config.redis())) {
            restart.add("redis");
        }
        if (!next.ami().equals(config.ami())) {
            restart.add("ami");
        }
        if (!next.publish().equals(config.publish())) {
            restart.add("publish");
        }
        if (!next.drain().equals(config.drain())) {
            restart.add("drain");
        }
        if (!next.ari().equals(config.ari())) {
            restart.add("ari");
        }
        if (!next.metrics().equals(config.metrics())) {
            restart.add("metrics");
        }
        if (!restart.isEmpty()) {
            log.warn("reload: {} changed but take effect only after a restart", restart);
        }
    }

    /** The node's live load (for the services' admission). */
    public NodeLoad load() {
        return load;
    }

    /** Drain state, for the operator-facing parts and tests. */
    private boolean draining() {
        return drain.status() != NodeStatus.ACTIVE;
    }

    public DrainControl drain() {
        return drain;
    }

    public StatePublisher publisher() {
        return publisher;
    }

    /**
     * The SIGTERM path: advertise draining, keep serving until the node reports zero channels or {@code drain.timeout}
     * passes, make sure the final status reached Redis, then stop and remove the node's state.
     */
    public void drainAndStop() {
        drain.shutdownRequested();
        publisher.stateChanged();
        DrainControl.Outcome outcome = DrainControl.Outcome.TIMED_OUT;
        try {
            outcome = drain.awaitDrained(config.drain().timeout(), config.drain().unreachableTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("drain interrupted with {} channels up", channelsForLog());
        }
        if (outcome == DrainControl.Outcome.DRAINED && !publisher.publishNow()) {
            log.warn("could not write the drained status to Redis; the node state expires within {}",
                    config.publish().ttl());
        }
        log.info("drain {}: stopping", switch (outcome) {
            case DRAINED -> "complete";
            case TIMED_OUT -> "not complete (" + channelsForLog() + " channels)";
            case COUNT_UNKNOWN -> "not confirmed (channel count unknown: Asterisk not reachable over AMI)";
        });
        close();
    }

    private String channelsForLog() {
        return load.asteriskReachable() ? Integer.toString(load.channels()) : "unknown";
    }

    private void sampleCpu() {
        try {
            cpu.sample();
        } catch (RuntimeException e) {
            log.warn("CPU sample failed: {}", e.toString());
        }
    }

    private void stateChanged() {
        // Called from the AMI reader thread while constructing may not be finished: fields are checked.
        DrainControl d = drain;
        if (d != null) {
            d.stateChanged();
        }
        StatePublisher p = publisher;
        if (p != null) {
            p.stateChanged();
        }
    }

    private void statusChanged() {
        StatePublisher p = publisher;
        if (p != null) {
            p.stateChanged();
        }
    }

    private static String agentVersion() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ami.close();
        if (readiness instanceof ServiceHost host) {
            host.close();
        }
        sampler.shutdownNow();
        publisher.close(true);
        log.info("agent {} stopped", config.node().id());
    }
}
