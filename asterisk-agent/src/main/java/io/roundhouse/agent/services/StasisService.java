package io.roundhouse.agent.services;

import java.util.Map;

/**
 * A Stasis application the router can name in {@code X-Exec-App}. One class per service, registered by name in
 * {@link ServiceCatalog}; the {@link ServiceHost} calls it off the WebSocket thread, one call's callbacks in order.
 * A service that throws from {@link #onStart} has its channel hung up by the host (unanswered: congestion, so the
 * router redispatches; answered: normal).
 */
public interface StasisService {

    /** The application name, as in {@code ari.apps} and {@code X-Exec-App}. */
    String name();

    /** A channel entered the application ({@code StasisStart}); admission first, then answer. May block on ARI. */
    void onStart(Call call) throws Exception;

    /** The channel left the application ({@code StasisEnd}); runs after {@link #onStart} returned. */
    default void onEnd(Call call) {
    }

    /**
     * Housekeeping, called every {@link ServiceHost#MAINTAIN_EVERY} on a worker, never twice at once (Conference:
     * reclaims orphaned placements). May block on ARI and Redis.
     */
    default void maintain() {
    }

    /** The service's admission, whose thresholds a reload replaces; empty for a service without one. */
    default java.util.Optional<io.roundhouse.agent.admission.Admission> admission() {
        return java.util.Optional.empty();
    }

    /** This service's calls on the node now. */
    int participants();

    /** Whether this node takes new calls of the service now (for Conference: new rooms), per its thresholds. */
    boolean acceptsNewCalls();

    /** Rooms hosted with their participant counts (rooms with at least one participant); empty for room-less services. */
    default Map<String, Integer> rooms() {
        return Map.of();
    }
}
