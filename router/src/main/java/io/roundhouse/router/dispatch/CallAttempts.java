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
    private Set<String> tried; // most calls succeed on their first node: allocated at the first failure
    private String lastFailure = "-";

    CallAttempts(ServiceMatch match, long startedNanos) {
        this.match = match;
        this.startedNanos = startedNanos;
    }

    synchronized void ranked(List<Ranked> r) {
        ranked = List.copyOf(r); // no copy when the strategy's list is already immutable
    }

    synchronized List<Ranked> ranked() {
        return ranked;
    }

    /** Records a failed node; returns how many nodes were tried so far. */
    synchronized int failed(String nodeId) {
        if (tried == null) {
            tried = new LinkedHashSet<>();
        }
        tried.add(nodeId);
        return tried.size();
    }

    /** The last failed attempt as {@code <node>:<status>} for the decision log; "-" before any. */
    synchronized void lastFailure(String nodeAndStatus) {
        lastFailure = nodeAndStatus;
    }

    synchronized String lastFailure() {
        return lastFailure;
    }

    synchronized Set<String> tried() {
        return tried == null ? Set.of() : Set.copyOf(tried);
    }

    synchronized int triedCount() {
        return tried == null ? 0 : tried.size();
    }

    synchronized boolean wasTried(String nodeId) {
        return tried != null && tried.contains(nodeId);
    }
}
