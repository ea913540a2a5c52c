package io.roundhouse.shared.state;

import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.config.RedisUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one door to Redis: a pooled Jedis client (standalone or Sentinel) whose every failure becomes a
 * {@link StateStoreException} naming the operation, the key and the endpoint.
 */
final class RedisGateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisGateway.class);

    /**
     * Connections per process. A router runs a few Redis callers (refresh, placements on a small worker pool,
     * subscription on its own connection); an agent fewer. 16 leaves headroom without holding many sockets per node.
     */
    static final int POOL_SIZE = 16;

    private final UnifiedJedis client;
    private final JedisClientConfig subscriberConfig;
    private final Supplier<HostAndPort> master;
    private final Runnable clearIdle;
    private final String where;
    private volatile RedisCommandMetrics metrics = RedisCommandMetrics.NONE;

    private RedisGateway(UnifiedJedis client, JedisClientConfig subscriberConfig, Supplier<HostAndPort> master,
                         Runnable clearIdle, String where) {
        this.client = client;
        this.subscriberConfig = subscriberConfig;
        this.master = master;
        this.clearIdle = clearIdle;
        this.where = where;
    }

    private static DefaultJedisClientConfig.Builder clientConfig(RedisUrl url, int connectMs, int socketMs) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(connectMs)
                .socketTimeoutMillis(socketMs)
                .database(url.database())
                .ssl(url.tls())
                .clientName("roundhouse");
        if (url.user() != null) {
            config.user(url.user());
        }
        if (url.password() != null) {
            config.password(url.password());
        }
        return config;
    }

    static RedisGateway open(RedisSettings settings) {
        RedisUrl url = settings.parsedUrl();
        int connectMs = (int) settings.connectTimeout().toMillis();
        int socketMs = (int) settings.socketTimeout().toMillis();
        JedisClientConfig clientConfig = clientConfig(url, connectMs, socketMs).build();
        // In RESP3 a PING on a subscribed connection is answered with a bare PONG that Jedis' subscriber rejects
        // ("Unexpected message : PONG"), which would break every watchdog ping: subscriptions speak RESP2.
        JedisClientConfig subscriberConfig = clientConfig(url, connectMs, socketMs).autoNegotiateProtocol(false).build();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(POOL_SIZE);
        pool.setMaxIdle(POOL_SIZE);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        // Never wait forever for a pooled connection: a stuck caller must fail like a timed-out command.
        pool.setMaxWait(settings.socketTimeout());
        try {
            if (settings.sentinelMaster() == null) {
                HostAndPort hostAndPort = new HostAndPort(url.host(), url.port());
                RedisClient c = RedisClient.builder()
                        .hostAndPort(hostAndPort)
                        .clientConfig(clientConfig)
                        .poolConfig(pool)
                        .build();
                return new RedisGateway(c, subscriberConfig, () -> hostAndPort, () -> c.getPool().clear(), url.toString());
            }
            Set<HostAndPort> sentinels = new LinkedHashSet<>();
            for (String node : settings.sentinelNodes()) {
                sentinels.add(HostAndPort.from(node.startsWith("[") ? node.replace("[", "").replace("]", "") : node));
            }
            JedisClientConfig sentinelConfig = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(connectMs)
                    .socketTimeoutMillis(socketMs)
                    .clientName("roundhouse-sentinel")
                    // Sentinels speak RESP2 through Jedis' plain client; negotiating would only log a warning.
                    .autoNegotiateProtocol(false)
                    .build();
            RedisSentinelClient c = RedisSentinelClient.builder()
                    .masterName(settings.sentinelMaster())
                    .sentinels(sentinels)
                    .clientConfig(clientConfig)
                    .sentinelClientConfig(sentinelConfig)
                    .poolConfig(pool)
                    .build();
            String where = "sentinel master " + settings.sentinelMaster() + " via " + settings.sentinelNodes();
            return new RedisGateway(c, subscriberConfig, c::getCurrentMaster,
                    () -> c.getPrimaryNodesConnectionMap().values().forEach(p -> p.clear()), where);
        } catch (JedisException e) {
            throw new StateStoreException("connect to " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs one command (or a pipeline) and turns a client failure into a {@link StateStoreException}.
     *
     * <p>After a Redis restart (or failover) every idle pooled socket is dead, and the first command on each would
     * fail although Redis is back. So when a command fails on a broken established connection (not on connecting,
     * not on a read timeout), the idle connections are dropped and the command is sent once more on a fresh one.
     * Every write of the contract tolerates that: node writes, marks and controls are idempotent; a claim, move or
     * release whose first attempt did run and lost its reply returns the true owner, with {@code won}/{@code moved}
     * false or {@code release} false; a decision line or event may appear twice.
     */
    <T> T call(String operation, String key, Function<UnifiedJedis, T> command) {
        long start = System.nanoTime();
        try {
            T result = attempt(operation, key, command);
            metrics.succeeded(operation, System.nanoTime() - start);
            return result;
        } catch (StateStoreException e) {
            metrics.failed(operation);
            throw e;
        }
    }

    private <T> T attempt(String operation, String key, Function<UnifiedJedis, T> command) {
        try {
            return command.apply(client);
        } catch (JedisConnectionException e) {
            dropIdleConnections();
            if (!brokenEstablishedConnection(e)) {
                throw failure(operation, key, e);
            }
            try {
                return command.apply(client);
            } catch (JedisException again) {
                again.addSuppressed(e);
                throw failure(operation, key, again);
            }
        } catch (JedisException e) {
            throw failure(operation, key, e);
        }
    }

    /** True unless the failure was on connecting or a read timeout, where trying again at once cannot help. */
    private static boolean brokenEstablishedConnection(JedisConnectionException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.UnknownHostException || t instanceof javax.net.ssl.SSLException) {
                return false;
            }
        }
        String m = String.valueOf(e.getMessage());
        return !m.contains("Failed to connect") && !m.contains("Could not get a resource");
    }

    /** Runs a script by SHA1, sending its body only when Redis does not know it (after a restart or a SCRIPT FLUSH). */
    Object eval(LuaScript script, String key, List<String> keys, List<String> args) {
        return call(script.name(), key, c -> {
            try {
                return c.evalsha(script.sha1(), keys, args);
            } catch (JedisNoScriptException e) {
                return c.eval(script.source(), keys, args);
            }
        });
    }

    /**
     * A new connection outside the pool, to the current master, for a subscription: its blocking read must be
     * interruptible by closing its socket, which a pooled connection must not suffer.
     */
    Connection openDedicated() {
        return new Connection(master.get(), subscriberConfig);
    }

    /** From now on, records every command's latency and failures. */
    void instrument(RedisCommandMetrics metrics) {
        this.metrics = metrics;
    }

    /** The endpoint for messages, password masked. */
    String where() {
        return where;
    }

    StateStoreException failure(String operation, String key, Exception e) {
        return new StateStoreException(operation + " " + key + " at " + where + ": " + e.getMessage(), e);
    }

    private void dropIdleConnections() {
        try {
            clearIdle.run();
        } catch (RuntimeException e) {
            log.warn("could not drop idle Redis connections to {}: {}", where, e.toString());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
