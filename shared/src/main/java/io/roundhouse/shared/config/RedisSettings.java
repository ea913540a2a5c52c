package io.roundhouse.shared.config;

import java.time.Duration;
import java.util.List;

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

    public RedisSettings {
        sentinelNodes = sentinelNodes == null ? List.of() : List.copyOf(sentinelNodes);
    }
}
