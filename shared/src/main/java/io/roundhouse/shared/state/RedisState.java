package io.roundhouse.shared.state;

import io.roundhouse.shared.config.RedisSettings;

/**
 * The state contract in Redis: one pooled connection to Redis (standalone or Sentinel, per {@link RedisSettings})
 * and the views over it. Thread-safe; open one per process and close it at shutdown, which also closes the event
 * subscriptions opened through {@link #events()}.
 *
 * <pre>
 * try (RedisState state = new RedisState(RedisSettings.fromConfig(yaml.get("redis")))) {
 *     state.nodes().publish(nodeState, Duration.ofSeconds(3));
 *     Placements.Claim c = state.placements().claim("example.com:1000", "asterisk-1");
 * }
 * </pre>
 *
 * <p>Every Redis failure is a {@link StateStoreException} naming the operation and key; a value that breaks the
 * contract is a {@link MalformedStateException}. The key layout is in {@code docs/redis-state.md}.
 */
public final class RedisState implements AutoCloseable {

    /** Decision lines kept by default: enough for an operator to look back over a busy minute. */
    public static final int DEFAULT_DECISION_CAP = 1000;

    private final RedisSettings settings;
    private final RedisGateway redis;
    private final RedisNodeStates nodes;
    private final RedisPlacements placements;
    private final RedisServiceMarks marks;
    private final RedisNodeControls controls;
    private final RedisStateEvents events;
    private final RedisDecisionLog decisions;

    /** Connects with the default decision cap. Does not contact Redis yet except through Sentinel; see {@link #ping()}. */
    public RedisState(RedisSettings settings) {
        this(settings, DEFAULT_DECISION_CAP);
    }

    /** Connects, keeping at most {@code decisionCap} lines in the decision log. */
    public RedisState(RedisSettings settings, int decisionCap) {
        this(settings, decisionCap, RedisStateEvents.DEFAULT_PING_INTERVAL);
    }

    /** As the public constructor, with the subscription watchdog's ping interval (tests shorten it). */
    RedisState(RedisSettings settings, int decisionCap, java.time.Duration eventPingInterval) {
        if (decisionCap < 1) {
            throw new IllegalArgumentException("decision log cap: " + decisionCap + " (expected: 1 or more)");
        }
        this.settings = settings;
        this.redis = RedisGateway.open(settings);
        RedisKeys keys = new RedisKeys(settings.keyPrefix());
        this.nodes = new RedisNodeStates(redis, keys);
        this.placements = new RedisPlacements(redis, keys);
        this.marks = new RedisServiceMarks(redis, keys);
        this.controls = new RedisNodeControls(redis, keys);
        this.events = new RedisStateEvents(redis, keys, eventPingInterval, settings.socketTimeout(), System::nanoTime);
        this.decisions = new RedisDecisionLog(redis, keys, decisionCap);
    }

    public NodeStates nodes() {
        return nodes;
    }

    public Placements placements() {
        return placements;
    }

    public ServiceMarks marks() {
        return marks;
    }

    public NodeControls controls() {
        return controls;
    }

    public StateEvents events() {
        return events;
    }

    public DecisionLog decisions() {
        return decisions;
    }

    /**
     * Records the latency and failures of every command from now on ({@code roundhouse_redis_command_seconds},
     * {@code roundhouse_redis_command_errors_total}, by operation).
     */
    public RedisState instrument(io.micrometer.core.instrument.MeterRegistry registry) {
        redis.instrument(new RedisCommandMetrics(registry));
        return this;
    }

    /** The settings this state was opened with. */
    public RedisSettings settings() {
        return settings;
    }

    /** Round trip to Redis (for startup checks and health endpoints); throws {@link StateStoreException} when down. */
    public void ping() {
        redis.call("ping", "", c -> c.ping());
    }

    @Override
    public void close() {
        events.closeAll();
        redis.close();
    }
}
