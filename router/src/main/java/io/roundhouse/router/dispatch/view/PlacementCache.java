package io.roundhouse.router.dispatch.view;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This router's picture of room placements, read on the event loop without touching Redis: the last full read of
 * Redis, overlaid with what was learned since (change events, this router's own claims and moves), and the
 * placements decided locally while Redis was unreachable, kept until they are reconciled with Redis.
 */
public final class PlacementCache {

    /** A learned placement; a null node is a release. */
    private record Learned(String node, long stamp) {}

    private volatile Map<String, String> base = Map.of();
    private final Map<String, Learned> overlay = new ConcurrentHashMap<>();
    private final Map<String, String> localOnly = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();

    /** The node the key is placed on as far as this router knows. */
    public Optional<String> lookup(String key) {
        String local = localOnly.get(key);
        if (local != null) {
            return Optional.of(local);
        }
        Learned l = overlay.get(key);
        if (l != null) {
            return Optional.ofNullable(l.node());
        }
        return Optional.ofNullable(base.get(key));
    }

    /** Redis says (by a claim, a move or an event) that the key is on {@code node}. */
    public void learned(String key, String node) {
        overlay.put(key, new Learned(node, clock.incrementAndGet()));
    }

    /** Redis says the key was released by {@code node}; ignored if this router knows it is elsewhere now. */
    public void released(String key, String node) {
        Optional<String> now = lookup(key);
        if (now.isEmpty() || now.get().equals(node)) {
            overlay.put(key, new Learned(null, clock.incrementAndGet()));
        }
    }

    /** Placed here without Redis (unreachable): used at once, written to Redis by {@link #unreconciled()}'s owner. */
    public void decidedLocally(String key, String node) {
        localOnly.put(key, node);
    }

    /** Placements decided locally and not yet written to Redis. */
    public Map<String, String> unreconciled() {
        return Map.copyOf(localOnly);
    }

    /** The local placement of {@code key} is now settled in Redis on {@code owner}. */
    public void reconciled(String key, String decidedNode, String owner) {
        localOnly.remove(key, decidedNode);
        learned(key, owner);
    }

    /** The stamp to pass to {@link #replaceAll} for a full read that starts now. */
    public long beginFullRead() {
        return clock.incrementAndGet();
    }

    /** Installs a full read of Redis; what was learned after the read began stays on top of it. */
    public void replaceAll(Map<String, String> fromRedis, long readStamp) {
        base = Map.copyOf(fromRedis);
        overlay.values().removeIf(l -> l.stamp() < readStamp);
    }

    /** Number of placements known (for a gauge). */
    public int size() {
        return base.size() + localOnly.size();
    }
}
