package io.roundhouse.router.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-node gauges from the same report as {@code GET /api/nodes}, refreshed with every new node view (on the view's
 * thread, never the event loop); a node that leaves the view leaves the gauges.
 *
 * <ul>
 *   <li>{@code roundhouse_node_up{node}}: 1 unless the node is down</li>
 *   <li>{@code roundhouse_node_state{node,state}}: 1 for its state, 0 for the three others (ready, draining,
 *       disabled, down)</li>
 *   <li>{@code roundhouse_node_score{node,service}}: the score dispatch would give it now, for services it can take</li>
 *   <li>{@code roundhouse_node_channels{node}}, {@code roundhouse_node_channels_max{node}}: from its agent; no
 *       channels row while its agent cannot count them (Asterisk unreachable)</li>
 *   <li>{@code roundhouse_node_cpu_ratio{node}}: its agent's CPU, 0..1; no row while unknown</li>
 *   <li>{@code roundhouse_node_full{node,service}}: 1 while it is marked full for the service</li>
 * </ul>
 */
public final class FarmGauges implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FarmGauges.class);
    private static final List<String> STATES = List.of("ready", "draining", "disabled", "down");

    private final Farm farm;
    private final MultiGauge up;
    private final MultiGauge state;
    private final MultiGauge score;
    private final MultiGauge channels;
    private final MultiGauge maxChannels;
    private final MultiGauge cpu;
    private final MultiGauge full;
    private volatile ScheduledExecutorService timer;

    public FarmGauges(MeterRegistry registry, Farm farm) {
        this.farm = farm;
        up = MultiGauge.builder("roundhouse.node.up").description("1 unless the node is down (probing, agent)")
                .register(registry);
        state = MultiGauge.builder("roundhouse.node.state")
                .description("1 for the node's state (ready, draining, disabled, down), 0 for the others")
                .register(registry);
        score = MultiGauge.builder("roundhouse.node.score")
                .description("score dispatch would give the node now, per service it can take (see score meaning)")
                .register(registry);
        channels = MultiGauge.builder("roundhouse.node.channels").description("live channels its agent reports")
                .register(registry);
        maxChannels = MultiGauge.builder("roundhouse.node.channels.max")
                .description("channel capacity its agent reports").register(registry);
        cpu = MultiGauge.builder("roundhouse.node.cpu").baseUnit("ratio")
                .description("CPU use its agent reports, 0..1").register(registry);
        full = MultiGauge.builder("roundhouse.node.full")
                .description("1 while the node is marked full for the service (503 with Retry-After)")
                .register(registry);
    }

    /** Updates the gauges with every new view of {@code dispatch}. */
    public FarmGauges watch(DispatchSetup dispatch) {
        dispatch.view().onChange(v -> update());
        update();
        return this;
    }

    /**
     * Updates the gauges every {@code period} on a daemon thread of their own, until {@link #close()} (the router keeps
     * it for the life of the process): for a router without live dispatch, whose nodes change with reloads and probes
     * and no view announces it.
     */
    public FarmGauges every(Duration period) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "node-gauges");
            thread.setDaemon(true);
            return thread;
        });
        timer = t;
        t.scheduleWithFixedDelay(this::update, 0, period.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Stops the updates of {@link #every(Duration)}; the gauges keep their last values. */
    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }

    /** Reads the farm once and replaces every row. Never throws: a failed update keeps the last values. */
    public void update() {
        List<NodeReport> nodes;
        try {
            nodes = farm.nodes();
        } catch (RuntimeException e) {
            LOG.warn("node gauges not updated: {}", e.toString());
            return;
        }
        List<MultiGauge.Row<?>> upRows = new ArrayList<>();
        List<MultiGauge.Row<?>> stateRows = new ArrayList<>();
        List<MultiGauge.Row<?>> scoreRows = new ArrayList<>();
        List<MultiGauge.Row<?>> channelRows = new ArrayList<>();
        List<MultiGauge.Row<?>> maxRows = new ArrayList<>();
        List<MultiGauge.Row<?>> cpuRows = new ArrayList<>();
        List<MultiGauge.Row<?>> fullRows = new ArrayList<>();
        for (NodeReport n : nodes) {
            Tags node = Tags.of("node", n.id());
            upRows.add(MultiGauge.Row.of(node, "down".equals(n.state()) ? 0 : 1));
            for (String s : STATES) {
                stateRows.add(MultiGauge.Row.of(node.and("state", s), s.equals(n.state()) ? 1 : 0));
            }
            for (NodeReport.ServiceScore s : n.services()) {
                if (s.score() != null) {
                    scoreRows.add(MultiGauge.Row.of(node.and("service", s.service()), s.score()));
                }
            }
            // Unknown counts (an agent whose Asterisk is unreachable) leave no row rather than a 0 nobody counted.
            if (n.channels() != null) {
                channelRows.add(MultiGauge.Row.of(node, n.channels()));
            }
            if (n.maxChannels() != null) {
                maxRows.add(MultiGauge.Row.of(node, n.maxChannels()));
            }
            if (n.cpu() != null) {
                cpuRows.add(MultiGauge.Row.of(node, n.cpu() / 100.0));
            }
            for (String service : n.full()) {
                fullRows.add(MultiGauge.Row.of(node.and("service", service), 1));
            }
        }
        for (Map.Entry<MultiGauge, List<MultiGauge.Row<?>>> e : Map.of(up, upRows, state, stateRows, score, scoreRows,
                channels, channelRows, maxChannels, maxRows, cpu, cpuRows, full, fullRows).entrySet()) {
            e.getKey().register(e.getValue(), true);
        }
    }
}
