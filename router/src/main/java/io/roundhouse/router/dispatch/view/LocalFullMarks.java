package io.roundhouse.router.dispatch.view;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Full marks this router set itself, effective at once: the same mark goes to Redis off the event loop, but the next
 * call must not wait for the next refresh to learn that the node bounced the last one.
 */
public final class LocalFullMarks {

    private final LongSupplier nanoClock;
    private final Map<String, Long> untilNanos = new ConcurrentHashMap<>();

    public LocalFullMarks(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public void markFull(String nodeId, String service, Duration duration) {
        untilNanos.put(nodeId + '\n' + service, nanoClock.getAsLong() + duration.toNanos());
    }

    public boolean isFull(String nodeId, String service) {
        if (untilNanos.isEmpty()) {
            return false; // the usual case, asked for every node of every call: no key to build
        }
        Long until = untilNanos.get(nodeId + '\n' + service);
        if (until == null) {
            return false;
        }
        if (nanoClock.getAsLong() - until >= 0) {
            untilNanos.remove(nodeId + '\n' + service, until);
            return false;
        }
        return true;
    }
}
