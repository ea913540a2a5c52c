package io.roundhouse.agent.services;

import io.roundhouse.agent.ari.AriRest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The ARI mixing bridges of the Conference rooms: created on the first join, destroyed after the last leave. */
final class RoomBridges {

    private static final Logger log = LoggerFactory.getLogger(RoomBridges.class);

    private final String service;
    private final AriRest rest;

    RoomBridges(String service, AriRest rest) {
        this.service = service;
        this.rest = rest;
    }

    /** Creates the room's bridge unless this run did already; one left by an earlier run is reused. */
    void ensure(RoomRegistry.Room room) {
        if (room.bridgeReady) {
            return;
        }
        if (!rest.createMixingBridge(room.bridgeId())) {
            log.info("{}: bridge {} already existed (left by an earlier run?), reusing it", service, room.bridgeId());
        }
        room.bridgeReady = true;
    }

    void add(RoomRegistry.Room room, String channelId) {
        rest.addChannel(room.bridgeId(), channelId);
    }

    /** Destroys the room's bridge if this run created it; failures are logged, the room is closed either way. */
    void destroy(RoomRegistry.Room room) {
        if (!room.bridgeReady) {
            return;
        }
        try {
            if (!rest.destroyBridge(room.bridgeId())) {
                log.debug("{}: bridge {} was already gone", service, room.bridgeId());
            }
        } catch (RuntimeException e) {
            log.warn("{}: could not destroy bridge {}: {}", service, room.bridgeId(), e.getMessage());
        }
    }

    /** The ids of the bridges Asterisk has now (for the reclaim sweep); throws when ARI does not answer. */
    java.util.Set<String> live() {
        return java.util.Set.copyOf(rest.bridgeIds());
    }
}
