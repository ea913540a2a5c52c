package io.roundhouse.router.dispatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where decisions go: a counter per service/node/reason, counted at once, then one INFO line each and the line appended
 * to the capped list in Redis, both on a thread of its own: building and logging the line is per-call work the SIP
 * event loop need not do (bench: dispatch's extra CPU per call limits the router's clean rate). When that thread falls
 * behind, decisions are dropped and counted, so neither logging nor Redis ever slows a call.
 */
public final class DecisionLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("io.roundhouse.router.dispatch.decisions");

    /** Decisions waiting for Redis; beyond this they are dropped (and counted). */
    static final int QUEUE_LIMIT = 10_000;

    private final TaggedCounters decisions;
    private final Consumer<String> redisSink;
    private final java.util.function.BooleanSupplier redisUp;
    private final ExecutorService writer;
    private final Counter dropped;

    /** @param redisSink appends one line to the decisions list in Redis; null keeps decisions out of Redis */
    public DecisionLog(MeterRegistry registry, Consumer<String> redisSink) {
        this(registry, redisSink, () -> true);
    }

    /**
     * @param redisSink appends one line to the decisions list in Redis; null keeps decisions out of Redis
     * @param redisUp   false while Redis is known unreachable: lines are then dropped (counted) without trying, so a
     *                  blackholed Redis does not hold the writer for a socket timeout per decision
     */
    public DecisionLog(MeterRegistry registry, Consumer<String> redisSink, java.util.function.BooleanSupplier redisUp) {
        this.decisions = new TaggedCounters(registry, "roundhouse.dispatch.decisions", "dispatch decisions",
                "service", "node", "reason");
        this.redisSink = redisSink;
        this.redisUp = redisUp;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(QUEUE_LIMIT), r -> {
                    Thread t = new Thread(r, "dispatch-decisions");
                    t.setDaemon(true);
                    return t;
                });
        this.dropped = Counter.builder("roundhouse.dispatch.decisions.dropped")
                .description("decisions not written to Redis (writer behind or Redis failing)").register(registry);
    }

    /** Called on the event loop: counts, and hands the rest to the decisions thread. */
    public void record(Decision d) {
        decisions.increment(d.service(), d.node(), d.reason());
        if (redisSink == null && !LOG.isInfoEnabled()) {
            return; // nobody reads the line
        }
        boolean toRedis = redisSink != null && redisUp.getAsBoolean();
        if (redisSink != null && !toRedis) {
            dropped.increment();
        }
        try {
            writer.execute(() -> write(d, toRedis));
        } catch (RejectedExecutionException e) {
            dropped.increment();
        }
    }

    private void write(Decision d, boolean toRedis) {
        String line = d.line();
        LOG.info("dispatch {}", line);
        if (!toRedis) {
            return;
        }
        try {
            redisSink.accept(line);
        } catch (RuntimeException e) {
            dropped.increment();
            LOG.debug("decision not written to Redis: {}", e.toString());
        }
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
