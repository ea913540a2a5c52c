package io.roundhouse.shared.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;

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
 * <p>The canonical constructor validates every field (a bad value is a {@link ConfigException} naming the key
 * relative to the block; bound by {@link ConfigBinder} it reads {@code redis.url}) and fills nulls with the defaults. {@link #toString()} masks the password.
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

    public RedisSettings {
        url = url == null ? DEFAULT_URL : url.trim();
        RedisUrl.parse("url", url);
        keyPrefix = keyPrefix == null ? DEFAULT_KEY_PREFIX : keyPrefix;
        if (!keyPrefix.chars().allMatch(c -> c > ' ' && c != 0x7f)) {
            throw new ConfigException("key-prefix", "'" + keyPrefix + "' (expected: no spaces or control characters)");
        }
        connectTimeout = requireTimeout("connect-timeout", connectTimeout);
        socketTimeout = requireTimeout("socket-timeout", socketTimeout);
        sentinelMaster = sentinelMaster == null || sentinelMaster.isBlank() ? null : sentinelMaster.trim();
        sentinelNodes = sentinelNodes == null ? List.of() : List.copyOf(sentinelNodes);
        if (sentinelMaster != null && sentinelNodes.isEmpty()) {
            throw new ConfigException("sentinel.nodes", "empty (expected: at least one host:port when sentinel.master is set)");
        }
        if (sentinelMaster == null && !sentinelNodes.isEmpty()) {
            throw new ConfigException("sentinel.master", "missing (expected: the master name when sentinel.nodes is set)");
        }
        for (int i = 0; i < sentinelNodes.size(); i++) {
            requireHostPort("sentinel.nodes[" + i + "]", sentinelNodes.get(i));
        }
    }

    /** Every default: {@code redis://127.0.0.1:6379/0}, prefix {@code rh:}, 2 s timeouts, no Sentinel. */
    public static RedisSettings defaults() {
        return new RedisSettings(null, null, null, null, null, List.of());
    }

    /** The {@code redis:} block as written: {@code sentinel} is a mapping of its own. */
    @JsonCreator
    static RedisSettings bind(@JsonProperty("url") String url, @JsonProperty("key-prefix") String keyPrefix,
                              @JsonProperty("connect-timeout") Duration connectTimeout,
                              @JsonProperty("socket-timeout") Duration socketTimeout,
                              @JsonProperty("sentinel") Sentinel sentinel) {
        return new RedisSettings(url, keyPrefix, connectTimeout, socketTimeout,
                sentinel == null ? null : sentinel.master(), sentinel == null ? null : sentinel.nodes());
    }

    /** {@code redis.sentinel}: the master's name and the Sentinels' {@code host:port}. */
    record Sentinel(String master, List<String> nodes) {
        Sentinel {
            if (nodes != null) {
                for (int i = 0; i < nodes.size(); i++) {
                    Require.item("nodes[" + i + "]", nodes.get(i), "host:port");
                }
            }
        }
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
        RedisSettings bound = new ConfigBinder().bind(redisBlock, RedisSettings.class, "redis");
        return (bound == null ? defaults() : bound).withEnvironment(env);
    }

    /**
     * These settings with the environment's overrides of the secrets: {@code REDIS_URL} replaces {@code url}, and
     * {@code REDIS_PASSWORD} replaces the URL's password.
     */
    public RedisSettings withEnvironment(Map<String, String> env) {
        String newUrl = url;
        String envUrl = env.get("REDIS_URL");
        if (envUrl != null && !envUrl.isBlank()) {
            RedisUrl.parse("redis.url (from environment REDIS_URL)", envUrl);
            newUrl = envUrl.trim();
        }
        String envPassword = env.get("REDIS_PASSWORD");
        if (envPassword != null && !envPassword.isEmpty()) {
            newUrl = RedisUrl.parse("redis.url", newUrl).withPassword(envPassword).toUrlWithSecret();
        }
        return newUrl.equals(url) ? this : withUrl(newUrl);
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
}
