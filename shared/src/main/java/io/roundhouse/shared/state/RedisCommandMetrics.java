package io.roundhouse.shared.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Latency and errors of the contract's Redis commands by operation ({@code read node}, {@code claim placement}, ...):
 * {@code roundhouse_redis_command_seconds} and {@code roundhouse_redis_command_errors_total}. Meters are made once per
 * operation and kept, so a command costs a map lookup and a timer record.
 */
final class RedisCommandMetrics {

    /** Off: what a gateway records into until a registry is given. */
    static final RedisCommandMetrics NONE = new RedisCommandMetrics(null);

    private final MeterRegistry registry;
    private final Map<String, Meters> byOperation = new ConcurrentHashMap<>();

    /** Both meters of an operation, made together so that its error count is served (at 0) from its first use. */
    private record Meters(Timer latency, Counter errors) {}

    RedisCommandMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void succeeded(String operation, long nanos) {
        if (registry != null) {
            meters(operation).latency().record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void failed(String operation) {
        if (registry != null) {
            meters(operation).errors().increment();
        }
    }

    private Meters meters(String operation) {
        return byOperation.computeIfAbsent(operation, op -> new Meters(Timer.builder("roundhouse.redis.command")
                .description("Redis commands of the state contract, by operation (a pipeline or script is one)")
                .tag("operation", op)
                .serviceLevelObjectives(Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(25),
                        Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2))
                .register(registry), Counter.builder("roundhouse.redis.command.errors")
                .description("Redis commands of the state contract that failed, by operation")
                .tag("operation", op).register(registry)));
    }
}
