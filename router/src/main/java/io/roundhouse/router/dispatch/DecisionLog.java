package io.roundhouse.router.dispatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where decisions go: a counter per service/node/reason, counted at once on the event loop; then, in batches on a
 * thread of its own, one INFO line per decision and the batch appended to the capped list in Redis in one round trip.
 *
 * <p>Why batches: one Redis command per call cost more CPU (client and server, on the cores the SIP event loop
 * needs) than choosing the node; the bench measured it (docs/performance.md, "Dispatch cost"). Every
 * {@link #FLUSH_INTERVAL} the writer takes whatever queued, so the event loop only appends to a queue and never wakes
 * another thread. When the writer falls behind, decisions are dropped and counted: neither logging nor Redis ever
 * slows a call.
 */
public final class DecisionLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("io.roundhouse.router.dispatch.decisions");

    /** Decisions waiting for the writer; beyond this they are dropped (and counted). */
    static final int QUEUE_LIMIT = 10_000;
    /** How late a decision's line may be logged and reach Redis (the line carries the decision's own time). */
    static final Duration FLUSH_INTERVAL = Duration.ofMillis(100);

    private final TaggedCounters decisions;
    private final Consumer<List<String>> redisSink;
    private final BooleanSupplier redisUp;
    private final long flushMillis;
    private final ArrayBlockingQueue<Decision> queue = new ArrayBlockingQueue<>(QUEUE_LIMIT);
    private final Counter dropped;
    private final Thread writer;
    private final String router = RouterId.current();
    private volatile boolean closed;
    private boolean redisFailing;

    /** @param redisSink appends lines (the last the newest) to the decisions list in Redis; null keeps them out */
    public DecisionLog(MeterRegistry registry, Consumer<List<String>> redisSink) {
        this(registry, redisSink, () -> true);
    }

    /**
     * @param redisSink appends lines (the last the newest) to the decisions list in Redis; null keeps them out
     * @param redisUp   false while Redis is known unreachable: lines are then dropped (counted) without trying, so a
     *                  blackholed Redis does not hold the writer for a socket timeout per batch
     */
    public DecisionLog(MeterRegistry registry, Consumer<List<String>> redisSink, BooleanSupplier redisUp) {
        this(registry, redisSink, redisUp, FLUSH_INTERVAL);
    }

    DecisionLog(MeterRegistry registry, Consumer<List<String>> redisSink, BooleanSupplier redisUp,
                Duration flushInterval) {
        this.decisions = new TaggedCounters(registry, "roundhouse.dispatch.decisions", "dispatch decisions",
                "service", "node", "reason");
        this.redisSink = redisSink;
        this.redisUp = redisUp;
        this.flushMillis = flushInterval.toMillis();
        this.dropped = Counter.builder("roundhouse.dispatch.decisions.dropped")
                .description("decisions not logged (queue full) or not written to Redis (queue full, Redis failing or down)")
                .register(registry);
        this.writer = new Thread(this::run, "dispatch-decisions");
        writer.setDaemon(true);
        writer.start();
    }

    /** Called on the event loop: counts, and queues the rest for the writer. */
    public void record(Decision d) {
        decisions.increment(d.service(), d.node(), d.reason());
        if (redisSink == null && !LOG.isInfoEnabled()) {
            return; // nobody reads the line
        }
        if (closed || !queue.offer(d)) {
            dropped.increment();
        }
    }

    private void run() {
        List<Decision> batch = new ArrayList<>();
        while (!closed) {
            try {
                Thread.sleep(flushMillis);
            } catch (InterruptedException e) {
                // close() interrupts to cut the sleep short; any other interrupt is not a reason to stop writing.
            }
            flush(batch);
        }
        flush(batch); // what was queued before close
    }

    /** Never throws: the writer must outlive a bad line or a failing logger, or the queue would only fill up. */
    private void flush(List<Decision> batch) {
        queue.drainTo(batch);
        if (batch.isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>(batch.size());
        try {
            for (Decision d : batch) {
                String line = d.line(router);
                LOG.info("dispatch {}", line);
                lines.add(line);
            }
            if (redisSink == null) {
                return;
            }
            if (!redisUp.getAsBoolean()) {
                dropped.increment(lines.size());
                return;
            }
            redisSink.accept(lines);
            redisFailing = false;
        } catch (RuntimeException e) {
            dropped.increment(batch.size());
            if (!redisFailing) {
                LOG.warn("{} decisions not written to Redis (logged at most; until a batch succeeds): {}",
                        batch.size(), e.toString());
            }
            redisFailing = true;
        } finally {
            batch.clear();
        }
    }

    /** Stops the writer after it has logged and written what was queued. */
    @Override
    public void close() {
        closed = true;
        writer.interrupt();
        try {
            writer.join(Math.max(1000, flushMillis * 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
