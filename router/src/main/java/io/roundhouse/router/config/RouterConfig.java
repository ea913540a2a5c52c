package io.roundhouse.router.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.router.flood.FloodSettings;
import io.roundhouse.router.transport.ConnectionLimits;
import io.roundhouse.router.transport.TlsSettings;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The router's validated configuration. The SIP engine reads the {@code sip} and {@code nodes} sections; the other
 * sections ({@code redis}, {@code services}, {@code health}, {@code dispatch}, {@code metrics}) are
 * accepted as they are and read by their owners from {@link #tree()}.
 *
 * <pre>
 * sip:
 *   listen: [ "udp:127.0.0.1:5060", "tcp:127.0.0.1:5060" ]
 *   advertised-address: 192.0.2.10     # optional: the host written in Via/Record-Route
 *   max-message-size: 65536
 *   record-route: true
 *   timers: { t1: 500ms, t2: 4s, t4: 5s, timer-b: 32s, timer-f: 32s, timer-c: 180s, failover-timeout: 2s }
 *   retry-after: 5s                    # Retry-After of the router's own 503
 *   flood: { max-messages: 2000, window: 2s, block-for: 30s, exempt: [ "192.0.2.10" ] }  # FloodSettings
 *   connections: { max: 10000, max-per-source: 256, idle-timeout: 10m, message-timeout: 10s }  # ConnectionLimits
 *   tls: { certificate: router.crt, private-key: router.key }  # TlsSettings, for tls: listeners
 * nodes:
 *   - { id: asterisk-1, uri: "sip:127.0.0.1:5081", weight: 80 }
 * </pre>
 *
 * @param listen            where the router listens, first entry first ({@code sip.listen})
 * @param advertisedAddress host written into Via and Record-Route instead of the listen host ({@code
 *                          sip.advertised-address})
 * @param maxMessageSize    largest accepted message in bytes ({@code sip.max-message-size}, default 65536)
 * @param recordRoute       whether the router record-routes dialog-creating requests ({@code sip.record-route},
 *                          default true)
 * @param timers            SIP timers ({@code sip.timers})
 * @param nodes             static nodes ({@code nodes})
 * @param tree              the whole parsed YAML document
 */
public record RouterConfig(List<ListenAddress> listen, Optional<String> advertisedAddress, int maxMessageSize,
                           boolean recordRoute, SipTimers timers, List<StaticNode> nodes, JsonNode tree) {

    /** Default {@code sip.max-message-size}: 64 KiB, the largest UDP datagram. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 65536;
    /** Default {@code sip.retry-after}. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private static final Set<String> TOP_LEVEL = Set.of("sip", "nodes", "redis", "services", "health", "dispatch",
            "metrics", "admin");
    private static final Set<String> SIP_KEYS = Set.of("listen", "advertised-address", "max-message-size",
            "record-route", "timers", "retry-after", "flood", "route-secret-file", "connections", "tls");
    private static final Set<String> TLS_KEYS = Set.of("certificate", "private-key", "ca-bundle", "handshake-timeout");
    private static final Set<String> CONNECTION_KEYS = Set.of("max", "max-per-source", "idle-timeout",
            "message-timeout");
    private static final Set<String> FLOOD_KEYS = Set.of("enabled", "window", "max-messages", "block-for",
            "max-sources", "exempt");
    private static final Set<String> TIMER_KEYS = Set.of("t1", "t2", "t4", "timer-b", "timer-f", "timer-c", "timer-d",
            "failover-timeout");
    private static final Set<String> NODE_KEYS = Set.of("id", "uri", "weight");

    public RouterConfig {
        listen = List.copyOf(listen);
        nodes = List.copyOf(nodes);
        if (listen.isEmpty()) {
            throw new ConfigException("sip.listen", "at least one listen address is required");
        }
    }

    /** Reads and validates a YAML file. */
    public static RouterConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("(file)", "cannot read " + file + " (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
        return parse(text);
    }

    /** Parses and validates a YAML document. */
    public static RouterConfig parse(String yaml) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException("(document)", "not valid YAML: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException("(document)", "empty configuration (expected: a mapping with a 'sip' section)");
        }
        requireObject("(document)", root);
        checkKeys("", root, TOP_LEVEL);
        // These sections configure live dispatch, which runs only with services:. Without it they would be ignored
        // without a word, so an operator who forgot services: would believe Redis were used. (health: serves both.)
        for (String liveOnly : List.of("redis", "dispatch")) {
            if (root.has(liveOnly) && !root.has("services")) {
                throw new ConfigException(liveOnly, "used only by live dispatch (expected: a services: list beside it,"
                        + " or no " + liveOnly + ": section)");
            }
        }
        JsonNode sip = root.path("sip");
        if (sip.isMissingNode()) {
            throw new ConfigException("sip", "missing (expected: sip.listen with at least one address)");
        }
        requireObject("sip", sip);
        checkKeys("sip.", sip, SIP_KEYS);
        List<ListenAddress> listen = parseListen(sip.path("listen"));
        Optional<String> advertised = optionalText("sip.advertised-address", sip.path("advertised-address"));
        int maxSize = intValue("sip.max-message-size", sip.path("max-message-size"), DEFAULT_MAX_MESSAGE_SIZE);
        if (maxSize < 1024 || maxSize > 16 * 1024 * 1024) {
            throw new ConfigException("sip.max-message-size", maxSize + " (expected: 1024..16777216 bytes)");
        }
        boolean recordRoute = booleanValue("sip.record-route", sip.path("record-route"), true);
        SipTimers timers = parseTimers(sip.path("timers"));
        List<StaticNode> nodes = parseNodes(root.path("nodes"));
        retryAfter(root); // validated now, read when needed
        flood(root);
        optionalText("sip.route-secret-file", sip.path("route-secret-file"));
        connections(root);
        TlsSettings tls = tls(root);
        for (int i = 0; i < listen.size(); i++) {
            if (listen.get(i).transport() == io.roundhouse.router.transport.Transport.TLS && tls == null) {
                throw new ConfigException("sip.tls", "missing for listen address " + listen.get(i)
                        + " (expected: sip.tls with certificate and private-key)");
            }
        }
        return new RouterConfig(listen, advertised, maxSize, recordRoute, timers, nodes, root);
    }

    /** Parses a duration such as {@code 500ms}, {@code 4s}, {@code 3m} (shared {@link Durations}). */
    public static Duration parseDuration(String key, JsonNode node) {
        if (!node.isTextual()) {
            // A bare number is refused, as everywhere in Roundhouse's configs: its unit would be a guess.
            throw new ConfigException(key, node + " (expected: a duration with its unit, such as 500ms, 4s, 3m)");
        }
        return Durations.parse(key, node.asText());
    }

    private static List<ListenAddress> parseListen(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            throw new ConfigException("sip.listen", "missing (expected: a list such as [\"udp:127.0.0.1:5060\"])");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new ConfigException("sip.listen", "expected a non-empty list of transport:host:port");
        }
        List<ListenAddress> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String key = "sip.listen[" + i + "]";
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw new ConfigException(key, "expected a string such as \"udp:127.0.0.1:5060\"");
            }
            ListenAddress address = ListenAddress.parse(key, item.asText());
            if (address.port() != 0 && !seen.add(address.toString())) {
                throw new ConfigException(key, "duplicate listen address " + address);
            }
            out.add(address);
        }
        return out;
    }

    private static SipTimers parseTimers(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return SipTimers.defaults();
        }
        requireObject("sip.timers", node);
        checkKeys("sip.timers.", node, TIMER_KEYS);
        Duration t1 = duration("sip.timers.t1", node.path("t1"), SipTimers.DEFAULT_T1);
        Duration t2 = duration("sip.timers.t2", node.path("t2"), SipTimers.DEFAULT_T2);
        Duration t4 = duration("sip.timers.t4", node.path("t4"), SipTimers.DEFAULT_T4);
        if (t1.isZero()) {
            throw new ConfigException("sip.timers.t1", "0 (expected: a positive duration, default 500ms)");
        }
        if (t2.compareTo(t1) < 0) {
            throw new ConfigException("sip.timers.t2", t2.toMillis() + "ms is less than t1 " + t1.toMillis() + "ms");
        }
        SipTimers base = SipTimers.withT1(t1, t2, t4);
        Duration b = duration("sip.timers.timer-b", node.path("timer-b"), base.timerB());
        Duration f = duration("sip.timers.timer-f", node.path("timer-f"), base.timerF());
        Duration c = duration("sip.timers.timer-c", node.path("timer-c"), base.timerC());
        Duration d = duration("sip.timers.timer-d", node.path("timer-d"), base.timerD());
        Duration failover = duration("sip.timers.failover-timeout", node.path("failover-timeout"),
                base.failoverTimeout());
        for (var e : Map.of("sip.timers.timer-b", b, "sip.timers.timer-f", f, "sip.timers.timer-c", c,
                "sip.timers.failover-timeout", failover).entrySet()) {
            if (e.getValue().isZero()) {
                throw new ConfigException(e.getKey(), "0 (expected: a positive duration)");
            }
        }
        return new SipTimers(t1, t2, t4, b, f, c, d, failover);
    }

    private static List<StaticNode> parseNodes(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ConfigException("nodes", "expected a list of {id, uri, weight}");
        }
        List<StaticNode> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String key = "nodes[" + i + "]";
            JsonNode item = node.get(i);
            requireObject(key, item);
            checkKeys(key + ".", item, NODE_KEYS);
            String id = optionalText(key + ".id", item.path("id"))
                    .orElseThrow(() -> new ConfigException(key + ".id", "missing"));
            String uri = optionalText(key + ".uri", item.path("uri"))
                    .orElseThrow(() -> new ConfigException(key + ".uri", "missing (expected: sip:HOST:PORT)"));
            if (!uri.regionMatches(true, 0, "sip:", 0, 4) && !uri.regionMatches(true, 0, "sips:", 0, 5)) {
                throw new ConfigException(key + ".uri", "'" + uri + "' (expected: a sip: URI such as sip:10.0.0.1:5060)");
            }
            try {
                io.roundhouse.router.sip.SipUri.parse(uri);
            } catch (io.roundhouse.router.sip.SipParseException e) {
                throw new ConfigException(key + ".uri", e.reason() + " (expected: a sip: URI such as sip:10.0.0.1:5060)");
            }
            int weight = intValue(key + ".weight", item.path("weight"), 1);
            // The same range as live dispatch's nodes (dispatch/view/StaticNode): a config valid in one mode is valid
            // in the other. A node to keep out of rotation is removed from the list (or drained, with an agent).
            if (weight < 1 || weight > 1_000_000) {
                throw new ConfigException(key + ".weight", weight + " (expected: 1..1000000)");
            }
            if (!ids.add(id)) {
                throw new ConfigException(key + ".id", "duplicate node id '" + id + "'");
            }
            out.add(new StaticNode(id, uri, weight));
        }
        return out;
    }

    private static void requireObject(String key, JsonNode node) {
        if (!node.isObject()) {
            throw new ConfigException(key, "expected a mapping");
        }
    }

    private static void checkKeys(String prefix, JsonNode node, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                throw new ConfigException(prefix + name, "unknown key (expected one of: "
                        + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    private static Optional<String> optionalText(String key, JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isValueNode() || node.asText().isBlank()) {
            throw new ConfigException(key, "expected a non-empty string");
        }
        return Optional.of(node.asText().trim());
    }

    private static int intValue(String key, JsonNode node, int defaultValue) {
        if (node.isMissingNode() || node.isNull()) {
            return defaultValue;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw new ConfigException(key, "'" + node.asText() + "' (expected: an integer)");
        }
        return node.asInt();
    }

    private static boolean booleanValue(String key, JsonNode node, boolean defaultValue) {
        if (node.isMissingNode() || node.isNull()) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            throw new ConfigException(key, "'" + node.asText() + "' (expected: true or false)");
        }
        return node.asBoolean();
    }

    private static Duration duration(String key, JsonNode node, Duration defaultValue) {
        return node.isMissingNode() || node.isNull() ? defaultValue : parseDuration(key, node);
    }

    /**
     * {@code sip.retry-after} (default 5s, whole seconds, at least 1): the Retry-After (RFC 3261 §20.33) of every 503
     * the router sends itself.
     */
    public Duration retryAfter() {
        return retryAfter(tree);
    }

    private static Duration retryAfter(JsonNode root) {
        Duration d = root == null ? DEFAULT_RETRY_AFTER
                : duration("sip.retry-after", root.path("sip").path("retry-after"), DEFAULT_RETRY_AFTER);
        if (d.toSeconds() < 1 || d.toSeconds() > Integer.MAX_VALUE) {
            throw new ConfigException("sip.retry-after", d.toMillis() + "ms (expected: 1s or more)");
        }
        return Duration.ofSeconds(d.toSeconds());
    }

    /** {@code sip.flood}: the per-source flood limit ({@link FloodSettings}, defaults when absent). */
    public FloodSettings flood() {
        return flood(tree);
    }

    private static FloodSettings flood(JsonNode root) {
        JsonNode node = root == null ? null : root.path("sip").path("flood");
        if (node == null || node.isMissingNode() || node.isNull()) {
            return FloodSettings.DEFAULTS;
        }
        requireObject("sip.flood", node);
        checkKeys("sip.flood.", node, FLOOD_KEYS);
        List<String> exempt = new ArrayList<>();
        JsonNode list = node.path("exempt");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw new ConfigException("sip.flood.exempt", "expected a list of IP addresses");
            }
            for (int i = 0; i < list.size(); i++) {
                exempt.add(optionalText("sip.flood.exempt[" + i + "]", list.get(i))
                        .orElseThrow(() -> new ConfigException("sip.flood.exempt", "null (expected: an IP address)")));
            }
        }
        try {
            return new FloodSettings(booleanValue("sip.flood.enabled", node.path("enabled"), true),
                    optionalDuration("sip.flood.window", node.path("window")),
                    optionalInt("sip.flood.max-messages", node.path("max-messages")),
                    optionalDuration("sip.flood.block-for", node.path("block-for")),
                    optionalInt("sip.flood.max-sources", node.path("max-sources")), exempt);
        } catch (ConfigException e) {
            throw e.key().startsWith("sip.") ? e : new ConfigException("sip.flood." + e.key(),
                    e.getMessage().substring(e.key().length() + 2), e);
        }
    }

    /** {@code sip.connections}: caps and deadlines of TCP connections ({@link ConnectionLimits}). */
    public ConnectionLimits connections() {
        return connections(tree);
    }

    private static ConnectionLimits connections(JsonNode root) {
        JsonNode node = root == null ? null : root.path("sip").path("connections");
        if (node == null || node.isMissingNode() || node.isNull()) {
            return ConnectionLimits.DEFAULTS;
        }
        requireObject("sip.connections", node);
        checkKeys("sip.connections.", node, CONNECTION_KEYS);
        try {
            return new ConnectionLimits(optionalInt("sip.connections.max", node.path("max")),
                    optionalInt("sip.connections.max-per-source", node.path("max-per-source")),
                    optionalDuration("sip.connections.idle-timeout", node.path("idle-timeout")),
                    optionalDuration("sip.connections.message-timeout", node.path("message-timeout")));
        } catch (ConfigException e) {
            throw e.key().startsWith("sip.") ? e : new ConfigException("sip.connections." + e.key(),
                    e.getMessage().substring(e.key().length() + 2), e);
        }
    }

    /** {@code sip.tls} ({@link TlsSettings}), or null when absent. */
    public TlsSettings tls() {
        return tls(tree);
    }

    private static TlsSettings tls(JsonNode root) {
        JsonNode node = root == null ? null : root.path("sip").path("tls");
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        requireObject("sip.tls", node);
        checkKeys("sip.tls.", node, TLS_KEYS);
        try {
            return new TlsSettings(optionalText("sip.tls.certificate", node.path("certificate")).map(Path::of)
                    .orElse(null),
                    optionalText("sip.tls.private-key", node.path("private-key")).map(Path::of).orElse(null),
                    optionalText("sip.tls.ca-bundle", node.path("ca-bundle")).map(Path::of).orElse(null),
                    optionalDuration("sip.tls.handshake-timeout", node.path("handshake-timeout")));
        } catch (ConfigException e) {
            throw e.key().startsWith("sip.") ? e : new ConfigException("sip.tls." + e.key(),
                    e.getMessage().substring(e.key().length() + 2), e);
        }
    }

    private static Duration optionalDuration(String key, JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : parseDuration(key, node);
    }

    private static Integer optionalInt(String key, JsonNode node) {
        return node.isMissingNode() || node.isNull() ? null : intValue(key, node, 0);
    }

    /**
     * {@code sip.route-secret-file}: a file holding the secret that signs the router's Record-Route values (the
     * environment's {@code ROUNDHOUSE_ROUTE_SECRET} overrides it; docs/security.md).
     */
    public Optional<Path> routeSecretFile() {
        return optionalText("sip.route-secret-file", tree == null ? com.fasterxml.jackson.databind.node.MissingNode
                .getInstance() : tree.path("sip").path("route-secret-file")).map(Path::of);
    }

    /** A copy with other timers. */
    public RouterConfig withTimers(SipTimers newTimers) {
        return new RouterConfig(listen, advertisedAddress, maxMessageSize, recordRoute, newTimers, nodes, tree);
    }

    /** A copy with another message size limit. */
    public RouterConfig withMaxMessageSize(int bytes) {
        return new RouterConfig(listen, advertisedAddress, bytes, recordRoute, timers, nodes, tree);
    }

}
