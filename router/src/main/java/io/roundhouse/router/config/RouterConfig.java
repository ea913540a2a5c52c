package io.roundhouse.router.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.flood.FloodSettings;
import io.roundhouse.router.overload.OverloadSettings;
import io.roundhouse.router.health.HealthSettings;
import io.roundhouse.router.services.ServiceRule;
import io.roundhouse.router.services.ServiceRules;
import io.roundhouse.router.transport.ConnectionLimits;
import io.roundhouse.router.transport.ListenAddress;
import io.roundhouse.router.transport.TlsSettings;
import io.roundhouse.shared.config.ConfigBinder;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.config.Require;
import io.roundhouse.shared.metrics.MetricsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The router's whole configuration, bound once from its YAML file by {@link ConfigBinder} into validated immutable
 * records: every section, its defaults and the cross-section rules (a service's pool names known nodes; the live
 * dispatch sections need {@code services:}). Keys are documented in {@code router/router.example.yml} and
 * docs/dispatch.md.
 *
 * <pre>
 * sip:      { listen: [ "udp:127.0.0.1:5060" ], flood: {...}, ... }   # SipSettings, FloodSettings
 * nodes:    [ { id: asterisk-1, uri: "sip:10.0.0.11:5060", weight: 80 } ]
 * redis:    { url: "redis://127.0.0.1:6379/0" }            # live dispatch only
 * services: [ { name: default, app: Default } ]            # present: live dispatch; absent: round robin
 * health:   { interval: 5s }                               # OPTIONS probing, both modes
 * dispatch: { max-attempts: 3 }                            # live dispatch only
 * metrics:  { listen: "127.0.0.1:9464" }
 * admin:    { listen: "127.0.0.1:8081", token-file: admin-token }
 * </pre>
 *
 * @param sip      the SIP engine's settings
 * @param nodes    the nodes this router knows, in file order
 * @param redis    how to reach Redis (defaults when absent; the environment's overrides applied by {@link #load})
 * @param services the service rules, or null without {@code services:} (then static round robin over {@code nodes})
 * @param health   OPTIONS probing
 * @param dispatch live dispatch settings
 * @param metrics  the Prometheus endpoint
 * @param admin    the admin API, or null without an {@code admin:} section
 */
public record RouterConfig(SipSettings sip, List<StaticNode> nodes, RedisSettings redis, ServiceRules services,
                           HealthSettings health, DispatchSettings dispatch, MetricsSettings metrics,
                           AdminSettings admin) {

    /** Default {@code sip.max-message-size}: 64 KiB, the largest UDP datagram. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = SipSettings.DEFAULT_MAX_MESSAGE_SIZE;
    /** Default {@code sip.retry-after}. */
    public static final Duration DEFAULT_RETRY_AFTER = SipSettings.DEFAULT_RETRY_AFTER;

    private static final ConfigBinder BINDER = new ConfigBinder();

    public RouterConfig {
        if (sip == null) {
            throw new ConfigException("sip", "missing (expected: sip.listen with at least one address)");
        }
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            StaticNode node = nodes.get(i);
            if (!ids.add(node.id())) {
                throw new ConfigException("nodes[" + i + "].id", "duplicate node id '" + node.id() + "'");
            }
            if (services == null && node.uri() == null) {
                // Without services: the router sends to each node in turn: it must know where.
                throw new ConfigException("nodes[" + i + "].uri", "missing (expected: sip:HOST:PORT; a node known"
                        + " only by its agent needs live dispatch, a services: list)");
            }
        }
        if (services != null) {
            for (int r = 0; r < services.rules().size(); r++) {
                ServiceRule rule = services.rules().get(r);
                for (int i = 0; i < rule.nodes().size(); i++) {
                    if (!ids.contains(rule.nodes().get(i))) {
                        throw new ConfigException("services[" + r + "].nodes[" + i + "]", rule.nodes().get(i)
                                + " (expected one of the nodes: " + nodes.stream().map(StaticNode::id).toList()
                                + "; a node only its agent publishes is listed as { id: " + rule.nodes().get(i)
                                + " })");
                    }
                }
            }
        }
        redis = redis == null ? RedisSettings.defaults() : redis;
        health = health == null ? HealthSettings.DEFAULTS : health;
        dispatch = dispatch == null ? DispatchSettings.DEFAULTS : dispatch;
        metrics = metrics == null ? MetricsSettings.NONE : metrics;
    }

    @JsonCreator
    static RouterConfig bind(@JsonProperty("sip") SipSettings sip, @JsonProperty("nodes") List<StaticNode> nodes,
                             @JsonProperty("redis") RedisSettings redis,
                             @JsonProperty("services") ServiceRules services,
                             @JsonProperty("health") HealthSettings health,
                             @JsonProperty("dispatch") DispatchSettings dispatch,
                             @JsonProperty("metrics") MetricsSettings metrics,
                             @JsonProperty("admin") AdminSettings admin) {
        // These sections configure live dispatch, which runs only with services:. Without it they would be ignored
        // without a word, so an operator who forgot services: would believe Redis were used. (health: serves both.)
        Map<String, Object> liveOnly = new java.util.LinkedHashMap<>();
        liveOnly.put("redis", redis);
        liveOnly.put("dispatch", dispatch);
        liveOnly.forEach((key, section) -> {
            if (section != null && services == null) {
                throw new ConfigException(key, "used only by live dispatch (expected: a services: list beside it,"
                        + " or no " + key + ": section)");
            }
        });
        if (nodes != null) {
            for (int i = 0; i < nodes.size(); i++) {
                Require.item("nodes[" + i + "]", nodes.get(i), "a mapping {id, uri, weight}");
            }
        }
        return new RouterConfig(sip, nodes, redis, services, health, dispatch, metrics, admin);
    }

    /**
     * Reads and validates a YAML file with the process environment's overrides ({@code REDIS_URL},
     * {@code REDIS_PASSWORD}, {@code ROUNDHOUSE_ADMIN_TOKEN}).
     */
    public static RouterConfig load(Path file) {
        return load(file, System.getenv());
    }

    /** Reads and validates a YAML file with {@code env}'s overrides. */
    public static RouterConfig load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("(file)", "cannot read " + file + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
        RouterConfig config = parse(text);
        Path base = file.toAbsolutePath().getParent();
        AdminSettings admin = config.admin;
        if (admin != null) {
            try {
                admin = admin.withToken(env, base == null ? Path.of(".") : base);
            } catch (ConfigException e) {
                throw e.under("admin");
            }
        }
        return new RouterConfig(config.sip, config.nodes, config.redis.withEnvironment(env), config.services,
                config.health, config.dispatch, config.metrics, admin);
    }

    /** Parses and validates a YAML document (no environment overrides: tests and tools). */
    public static RouterConfig parse(String yaml) {
        return BINDER.bind(yaml, RouterConfig.class);
    }

    /** True with a {@code services:} list: calls are dispatched from live state; otherwise round robin. */
    public boolean liveDispatch() {
        return services != null;
    }

    /** The admin API's settings, or empty without an {@code admin:} section. */
    public Optional<AdminSettings> adminApi() {
        return Optional.ofNullable(admin);
    }

    /** {@code sip.listen}. */
    public List<ListenAddress> listen() {
        return sip.listen();
    }

    /** {@code sip.advertised-address}. */
    public Optional<String> advertisedAddress() {
        return sip.advertisedAddress();
    }

    /** {@code sip.max-message-size}. */
    public int maxMessageSize() {
        return sip.maxMessageSize();
    }

    /** {@code sip.record-route}. */
    public boolean recordRoute() {
        return sip.recordRoute();
    }

    /** {@code sip.timers}. */
    public SipTimers timers() {
        return sip.timers();
    }

    /**
     * {@code sip.retry-after} (default 5s, whole seconds, at least 1): the Retry-After (RFC 3261 §20.33) of every 503
     * the router sends itself.
     */
    public Duration retryAfter() {
        return sip.retryAfter();
    }

    /**
     * {@code sip.route-secret-file}: a file holding the secret that signs the router's Record-Route values (the
     * environment's {@code ROUNDHOUSE_ROUTE_SECRET} overrides it; docs/security.md).
     */
    public Optional<Path> routeSecretFile() {
        return Optional.ofNullable(sip.routeSecretFile());
    }

    /** {@code sip.tls}, or null when absent (then no {@code tls:} listener). */
    public TlsSettings tls() {
        return sip.tls();
    }

    /** {@code sip.connections}: caps and deadlines of TCP connections. */
    public ConnectionLimits connections() {
        return sip.connections();
    }

    /** {@code sip.overload}: when new calls are shed with 503 (docs/security.md, "Overload"). */
    public OverloadSettings overload() {
        return sip.overload();
    }

    /** {@code sip.flood}: the per-source flood limit. */
    public FloodSettings flood() {
        return sip.flood();
    }

    /** A copy with other timers. */
    public RouterConfig withTimers(SipTimers newTimers) {
        return new RouterConfig(sip.withTimers(newTimers), nodes, redis, services, health, dispatch, metrics, admin);
    }

    /** A copy with another message size limit. */
    public RouterConfig withMaxMessageSize(int bytes) {
        return new RouterConfig(sip.withMaxMessageSize(bytes), nodes, redis, services, health, dispatch, metrics,
                admin);
    }
}
