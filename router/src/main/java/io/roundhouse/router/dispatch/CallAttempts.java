package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.strategy.Ranked;
import io.roundhouse.router.services.ServiceMatch;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the dispatcher remembers of one call between {@code select} and its outcome: the service, the ranking it
 * chose from, and the nodes tried. One call is handled by one event loop at a time, but a Redis completion may run
 * on another thread, hence the synchronized accessors.
 */
final class CallAttempts {

    final ServiceMatch match;
    final long startedNanos;
    private List<Ranked> ranked = List.of();
    private final Set<String> tried = new LinkedHashSet<>();

    CallAttempts(ServiceMatch match, long startedNanos) {
        this.match = match;
        this.startedNanos = startedNanos;
    }

    synchronized void ranked(List<Ranked> r) {
        ranked = List.copyOf(r);
    }

    synchronized List<Ranked> ranked() {
        return ranked;
    }

    /** Records a failed node; returns how many nodes were tried so far. */
    synchronized int failed(String nodeId) {
        tried.add(nodeId);
        return tried.size();
    }

    synchronized Set<String> tried() {
        return Set.copyOf(tried);
    }

    synchronized boolean wasTried(String nodeId) {
        return tried.contains(nodeId);
    }
}
