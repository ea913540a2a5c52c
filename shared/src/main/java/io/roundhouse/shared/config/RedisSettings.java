package io.roundhouse.shared.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the router and the agent reach Redis: the {@code redis:} block of both YAML configs.
 *
 * <pre>
 * redis:
 *   url: "redis://127.0.0.1:6379/0"      # password and TLS through the URL: rediss://:secret@host:6380/0
 *   key-prefix: "rh:"
 *   connect-timeout: 2s
 *   socket-timeout: 2s
 *   sentinel:                           # optional, for HA; then url only gives password, database and TLS
 *     master: roundhouse
 *     nodes: [ "10.0.0.1:26379", "10.0.0.2:26379" ]
 * </pre>
 *
 * <p>Every key is optional; the defaults are those shown. The environment overrides the file for secrets:
 * {@code REDIS_URL} replaces {@code url}, and {@code REDIS_PASSWORD} replaces the URL's password.
 *
 * <p>The canonical constructor validates every field (a bad value is a {@link ConfigException} naming the
 * {@code redis.*} key) and fills nulls with the defaults. {@link #toString()} masks the password.
 *
 * @param url            Redis URL; the password may be overridden from the environment ({@code REDIS_PASSWORD})
 * @param keyPrefix      prefix of every key and channel of the contract
 * @param connectTimeout TCP connect timeout
 * @param socketTimeout  read timeout of one command
 * @param sentinelMaster Sentinel master name, or null without Sentinel
 * @param sentinelNodes  Sentinel {@code host:port} list, empty without Sentinel
 */
public record RedisSettings(
        String url,
        String keyPrefix,
        Duration connectTimeout,
        Duration socketTimeout,
        String sentinelMaster,
        List<String> sentinelNodes) {

    public static final String DEFAULT_URL = "redis://127.0.0.1:6379/0";
    public static final String DEFAULT_KEY_PREFIX = "rh:";
    /** Long enough for a Redis that is busy for a moment, short enough that a dead one does not stall a heartbeat. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private static final Set<String> KEYS = Set.of("url", "key-prefix", "connect-timeout", "socket-timeout", "sentinel");
    private static final Set<String> SENTINEL_KEYS = Set.of("master", "nodes");

    public RedisSettings {
        url = url == null ? DEFAULT_URL : url.trim();
        RedisUrl.parse("redis.url", url);
        keyPrefix = keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix;
        if (!keyPrefix.chars().allMatch(c -> c > ' ' && c != 0x7f)) {
            throw new ConfigException("redis.key-prefix", "'" + keyPrefix + "' (expected: no spaces or control characters)");
        }
        connectTimeout = requireTimeout("redis.connect-timeout", connectTimeout);
        socketTimeout = requireTimeout("redis.socket-timeout", socketTimeout);
        sentinelMaster = sentinelMaster == null || sentinelMaster.isBlank() ? null : sentinelMaster.trim();
        sentinelNodes = sentinelNodes == null ? List.of() : List.copyOf(sentinelNodes);
        if (sentinelMaster != null && sentinelNodes.isEmpty()) {
            throw new ConfigException("redis.sentinel.nodes", "empty (expected: at least one host:port when sentinel.master is set)");
        }
        if (sentinelMaster == null && !sentinelNodes.isEmpty()) {
            throw new ConfigException("redis.sentinel.master", "missing (expected: the master name when sentinel.nodes is set)");
        }
        for (int i = 0; i < sentinelNodes.size(); i++) {
            requireHostPort("redis.sentinel.nodes[" + i + "]", sentinelNodes.get(i));
        }
    }

    /** Every default: {@code redis://127.0.0.1:6379/0}, prefix {@code rh:}, 2 s timeouts, no Sentinel. */
    public static RedisSettings defaults() {
        return new RedisSettings(null, null, null, null, null, List.of());
    }

    /** Reads the {@code redis:} block (missing or null means all defaults) with the process environment's overrides. */
    public static RedisSettings fromConfig(JsonNode redisBlock) {
        return fromConfig(redisBlock, System.getenv());
    }

    /**
     * Reads the {@code redis:} block with {@code env}'s overrides ({@code REDIS_URL}, {@code REDIS_PASSWORD}).
     * Unknown keys are refused, so that a typo does not silently fall back to a default.
     */
    public static RedisSettings fromConfig(JsonNode redisBlock, Map<String, String> env) {
        String url = null;
        String prefix = null;
        Duration connect = null;
        Duration socket = null;
        String master = null;
        List<String> nodes = List.of();
        if (redisBlock != null && !redisBlock.isMissingNode() && !redisBlock.isNull()) {
            if (!redisBlock.isObject()) {
                throw new ConfigException("redis", "a " + redisBlock.getNodeType() + " (expected: a mapping)");
            }
            requireKnownKeys("redis", redisBlock, KEYS);
            url = text("redis.url", redisBlock.get("url"));
            prefix = text("redis.key-prefix", redisBlock.get("key-prefix"));
            connect = duration("redis.connect-timeout", redisBlock.get("connect-timeout"));
            socket = duration("redis.socket-timeout", redisBlock.get("socket-timeout"));
            JsonNode sentinel = redisBlock.get("sentinel");
            if (sentinel != null && !sentinel.isNull()) {
                if (!sentinel.isObject()) {
                    throw new ConfigException("redis.sentinel", "a " + sentinel.getNodeType() + " (expected: a mapping with master and nodes)");
                }
                requireKnownKeys("redis.sentinel", sentinel, SENTINEL_KEYS);
                master = text("redis.sentinel.master", sentinel.get("master"));
                nodes = stringList("redis.sentinel.nodes", sentinel.get("nodes"));
            }
        }
        String envUrl = env.get("REDIS_URL");
        if (envUrl != null && !envUrl.isBlank()) {
            RedisUrl.parse("redis.url (from environment REDIS_URL)", envUrl);
            url = envUrl.trim();
        }
        String envPassword = env.get("REDIS_PASSWORD");
        if (envPassword != null && !envPassword.isEmpty()) {
            RedisUrl parsed = RedisUrl.parse("redis.url", url == null ? DEFAULT_URL : url);
            url = parsed.withPassword(envPassword).toUrlWithSecret();
        }
        return new RedisSettings(url, prefix, connect, socket, master, nodes);
    }

    /** The URL, parsed. */
    public RedisUrl parsedUrl() {
        return RedisUrl.parse("redis.url", url);
    }

    /** The same settings with another URL. */
    public RedisSettings withUrl(String newUrl) {
        return new RedisSettings(newUrl, keyPrefix, connectTimeout, socketTimeout, sentinelMaster, sentinelNodes);
    }

    /** Masks the password, so that settings can be logged. */
    @Override
    public String toString() {
        return "RedisSettings[url=" + parsedUrl() + ", keyPrefix=" + keyPrefix + ", connectTimeout=" + connectTimeout
                + ", socketTimeout=" + socketTimeout + ", sentinelMaster=" + sentinelMaster
                + ", sentinelNodes=" + sentinelNodes + "]";
    }

    private static Duration requireTimeout(String key, Duration d) {
        if (d == null) {
            return DEFAULT_TIMEOUT;
        }
        if (d.isNegative() || d.isZero()) {
            throw new ConfigException(key, d + " (expected: a positive duration)");
        }
        if (d.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigException(key, d + " (expected: at most " + Integer.MAX_VALUE + " ms)");
        }
        return d;
    }

    /** Checks {@code host:port} (IPv6 as {@code [addr]:port}). */
    static void requireHostPort(String key, String hostPort) {
        String expected = " (expected: host:port, e.g. 10.0.0.1:26379 or [::1]:26379)";
        if (hostPort == null || hostPort.isBlank()) {
            throw new ConfigException(key, "empty" + expected);
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new ConfigException(key, "'" + hostPort + "'" + expected);
        }
        String host = hostPort.substring(0, colon);
        if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new ConfigException(key, "'" + hostPort + "'" + expected);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "'" + hostPort + "'" + expected);
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException(key, "port " + port + " in '" + hostPort + "' (expected: 1..65535)");
        }
    }

    private static void requireKnownKeys(String path, JsonNode block, Set<String> known) {
        Iterator<String> names = block.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new ConfigException(path + "." + name, "unknown key (expected one of: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode() || node.isBoolean()) {
            throw new ConfigException(key, "a " + node.getNodeType() + " (expected: a string)");
        }
        return node.asText();
    }

    private static Duration duration(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            throw new ConfigException(key, node.asText() + " has no unit (expected: a duration such as 500ms or 2s)");
        }
        String t = text(key, node);
        return Durations.parsePositive(key, t);
    }

    private static List<String> stringList(String key, JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ConfigException(key, "a " + node.getNodeType() + " (expected: a list of host:port)");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String item = text(key + "[" + i + "]", node.get(i));
            if (item == null) {
                throw new ConfigException(key + "[" + i + "]", "null (expected: host:port)");
            }
            out.add(item.trim());
        }
        return out;
    }
}
