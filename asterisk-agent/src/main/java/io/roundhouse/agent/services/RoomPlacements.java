package io.roundhouse.agent.services;

import io.roundhouse.shared.state.Placements;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's placement claims in Redis for the Conference rooms: claim a new room before answering, release it after
 * the last leave, and reclaim the placements left pointing here for rooms the node no longer hosts. Every write is
 * the shared compare-and-set script, so a placement a router moved meanwhile is never touched.
 *
 * <p>The reclaim rule, which never splits a live room: a placement pointing at this node is released when it has
 * been an orphan for {@code reclaimAfter} (seen orphaned by sweeps that far apart, and at every sweep between), where
 * an orphan is a key that the caller's test finds hosted nowhere on this node (no room in the registry, none being
 * joined, no bridge in Asterisk). Orphans come from an Asterisk restart (its rooms died with it) or an agent that
 * stopped without its last leave. A node that is gone for good sweeps nothing itself: routers move its placements
 * on the next call to the room, and release them once the node has been absent from their views for
 * {@code dispatch.placement-reclaim-after} (docs/dispatch.md); expiring placements by time alone was rejected because
 * a room whose Asterisk outlived its agent would then be split.
 */
final class RoomPlacements {

    private static final Logger log = LoggerFactory.getLogger(RoomPlacements.class);

    private final String service;
    private final Placements placements;
    private final String nodeId;
    private final Duration reclaimAfter;
    private final LongSupplier nanoClock;
    private Map<String, Long> orphanSince = Map.of(); // key -> first sweep that found it orphaned; sweep thread only

    RoomPlacements(String service, Placements placements, String nodeId, Duration reclaimAfter, LongSupplier nanoClock) {
        this.service = service;
        this.placements = placements;
        this.nodeId = nodeId;
        this.reclaimAfter = reclaimAfter;
        this.nanoClock = nanoClock;
    }

    /**
     * Claims a new room for this node; true when it is placed here (now or already). Redis unreachable: true, since
     * the router owns placement and reconciles, and the caller must not suffer for it.
     */
    boolean claimHere(String key, String roomName) {
        String owner;
        try {
            owner = placements.claim(key, nodeId).owner();
        } catch (RuntimeException e) {
            log.warn("{}: could not claim placement {} for new room {} (admitting): {}", service, key, roomName,
                    e.toString());
            return true;
        }
        if (nodeId.equals(owner)) {
            return true;
        }
        log.info("{}: room {} is placed on {}", service, roomName, owner);
        return false;
    }

    /** Releases the key if it still points at this node. */
    void release(String key) {
        try {
            if (placements.release(key, nodeId)) {
                log.info("{}: released placement {}", service, key);
            }
        } catch (RuntimeException e) {
            // Redis down: the router reconciles placements; the call must not suffer for it.
            log.warn("{}: could not release placement {}: {}", service, key, e.toString());
        }
    }

    /** The keys placed on this node now (one read of the placements hash). */
    List<String> placedHere() {
        return placements.readAll().entrySet().stream().filter(e -> e.getValue().equals(nodeId))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /**
     * One sweep: {@code orphan} tells whether a key placed here is hosted nowhere on this node, and is called with the
     * key's room serialized against joins (see Conference); keys orphaned for {@code reclaimAfter} are released under
     * the same serialization. Not thread-safe: one sweep at a time.
     *
     * @param serialized runs the check-and-release of one key so that no join of that key interleaves
     * @return the keys released
     */
    List<String> sweep(Predicate<String> orphan, java.util.function.BiConsumer<String, Runnable> serialized) {
        List<String> placed;
        try {
            placed = placedHere();
        } catch (RuntimeException e) {
            log.warn("{}: could not read placements for the reclaim sweep: {}", service, e.toString());
            return List.of();
        }
        long now = nanoClock.getAsLong();
        Map<String, Long> next = new HashMap<>();
        List<String> released = new java.util.ArrayList<>();
        for (String key : placed) {
            serialized.accept(key, () -> {
                if (!orphan.test(key)) {
                    return;
                }
                long since = orphanSince.getOrDefault(key, now);
                if (now - since >= reclaimAfter.toNanos()) {
                    log.info("{}: placement {} points here but no room of it is hosted here for {}: reclaiming it",
                            service, key, reclaimAfter);
                    release(key);
                    released.add(key);
                } else {
                    next.put(key, since);
                }
            });
        }
        orphanSince = next;
        return released;
    }
}
