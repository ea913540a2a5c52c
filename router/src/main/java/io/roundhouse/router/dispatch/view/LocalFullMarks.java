package io.roundhouse.router.dispatch.view;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Full marks this router set itself, effective at once: the same mark goes to Redis off the event loop, but the next
 * call must not wait for the next refresh to learn that the node bounced the last one. Kept by service, so that a
 * call can ask which nodes are marked for its service without asking about every node of the farm.
 */
public final class LocalFullMarks {

    private final LongSupplier nanoClock;
    /** Service to node to the end of its mark (monotonic nanoseconds). */
    private final Map<String, Map<String, Long>> untilNanos = new ConcurrentHashMap<>();

    public LocalFullMarks(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public void markFull(String nodeId, String service, Duration duration) {
        untilNanos.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
                .put(nodeId, nanoClock.getAsLong() + duration.toNanos());
    }

    public boolean isFull(String nodeId, String service) {
        if (untilNanos.isEmpty()) {
            return false; // the usual case
        }
        Map<String, Long> marks = untilNanos.get(service);
        Long until = marks == null ? null : marks.get(nodeId);
        if (until == null) {
            return false;
        }
        if (nanoClock.getAsLong() - until >= 0) {
            marks.remove(nodeId, until);
            return false;
        }
        return true;
    }

    /** The nodes marked full for {@code service} now (usually none: no allocation then). */
    public List<String> marked(String service) {
        if (untilNanos.isEmpty()) {
            return List.of();
        }
        Map<String, Long> marks = untilNanos.get(service);
        if (marks == null || marks.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(marks.size());
        for (String node : marks.keySet()) {
            if (isFull(node, service)) {
                out.add(node);
            }
        }
        return out;
    }
}
