package io.roundhouse.shared.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Latency and errors of the contract's Redis commands by operation ({@code read node}, {@code claim placement}, ...):
 * {@code roundhouse_redis_command_seconds} and {@code roundhouse_redis_command_errors_total}. Meters are made once per
 * operation and kept, so a command costs a map lookup and a timer record.
 */
final class RedisCommandMetrics {

    /** Off: what a gateway records into until a registry is given. */
    static final RedisCommandMetrics NONE = new RedisCommandMetrics(null);

    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    RedisCommandMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void succeeded(String operation, long nanos) {
        if (registry != null) {
            timers.computeIfAbsent(operation, op -> Timer.builder("roundhouse.redis.command")
                    .description("Redis commands of the state contract, by operation (a pipeline or script is one)")
                    .tag("operation", op)
                    .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
                            Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
                    .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    void failed(String operation) {
        if (registry != null) {
            errors.computeIfAbsent(operation, op -> Counter.builder("roundhouse.redis.command.errors")
                    .description("Redis commands of the state contract that failed, by operation")
                    .tag("operation", op).register(registry)).increment();
        }
    }
}
