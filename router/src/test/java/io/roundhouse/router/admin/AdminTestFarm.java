package io.roundhouse.router.admin;

import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.config.AdminSettings;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The farm that the admin API, status page and {@code roundhouse} CLI tests look at (the CLI's through the router's
 * test jar): agents published to a real Redis, a router's live dispatch over {@link #CONFIG} (a conference service
 * with room affinity, a least-loaded default service, and {@code static-1}, a configured node without an agent), and
 * its admin listener on a free loopback port. Closes what it started, newest first.
 */
public final class AdminTestFarm implements AutoCloseable {

    public static final Set<String> APPS = Set.of("Conference", "Default");
    public static final String CONFIG = """
            sip: { listen: [ "udp:127.0.0.1:0" ] }
            nodes:
              - { id: static-1, uri: "sip:127.0.0.1:5090", weight: 5 }
            services:
              - name: conference
                match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                app: Conference
                app-data: "${room}"
                affinity: "${ruri-host}:${room}"
              - name: default
                app: Default
                strategy: least-loaded
            health: { enabled: false }
            dispatch: { refresh-interval: 100ms, redis-timeout: 2s }
            """;

    private final TestRedis redis;
    private final RedisState state;
    private final Deque<AutoCloseable> closing = new ArrayDeque<>();

    /** Inside a test that registered {@code redis} as an extension. */
    public AdminTestFarm(TestRedis redis) {
        this.redis = redis;
        this.state = redis.open();
    }

    /** The farm's state in Redis, to publish, claim, record and check. */
    public RedisState state() {
        return state;
    }

    /** An agent's state: active, 100 channels of capacity, both services' applications, published now. */
    public static NodeState agent(String id, int port, int channels, double cpu, Map<String, Integer> rooms) {
        return new NodeState(id, "sip:127.0.0.1:" + port, NodeStatus.ACTIVE, channels, 100, cpu, rooms, APPS, APPS,
                "22.10.1", "test", System.currentTimeMillis());
    }

    /** Publishes an agent's state for 30 s. */
    public AdminTestFarm publish(NodeState agent) {
        state.nodes().publish(agent, Duration.ofSeconds(30));
        return this;
    }

    /** A router's live dispatch over {@link #CONFIG}, once its view holds {@code nodes} nodes. */
    public DispatchSetup router(int nodes) {
        return router(CONFIG, nodes);
    }

    /** A router's live dispatch over {@code config}, once its view holds {@code nodes} nodes. */
    public DispatchSetup router(String config, int nodes) {
        DispatchSetup d = DispatchSetup.start(RouterConfig.parse(config), MetricsEndpoint.newRegistry(), null,
                redis.settings());
        closing.push(d);
        await().atMost(Duration.ofSeconds(5)).until(() -> d.view().current().nodes().size() == nodes);
        return d;
    }

    /**
     * The admin listener of {@code dispatch} on a free loopback port.
     *
     * @param reloader null: reload answers 501
     * @param registry null: no {@code /metrics}
     */
    public AdminServer admin(DispatchSetup dispatch, Optional<String> token, Reloader reloader,
                             PrometheusMeterRegistry registry, BooleanSupplier ready) {
        AdminServer a = AdminServer.start(new AdminSettings(new InetSocketAddress("127.0.0.1", 0), null, token),
                new LiveFarm(dispatch, System::currentTimeMillis), reloader, registry, ready);
        closing.push(a);
        return a;
    }

    @Override
    public void close() throws Exception {
        while (!closing.isEmpty()) {
            closing.pop().close();
        }
    }
}
