package io.roundhouse.agent.services;

import io.roundhouse.agent.admission.Decision;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The conference rooms this node hosts, as accounting only: members, joins being admitted, occupancy. No I/O, so
 * it can be reasoned about (and tested) apart from ARI and Redis, as HikariCP keeps its pool's accounting apart from
 * its connections. Rooms are keyed by placement key. Thread-safe: one lock, never held during I/O.
 */
final class RoomRegistry {

    /** A hosted room: its members (in the bridge), the joins being admitted, and whether its bridge exists. */
    static final class Room {
        final String name;
        final String placementKey;
        final Set<String> members = new LinkedHashSet<>(); // guarded by the registry's lock
        int pending; // guarded by the registry's lock
        boolean bridgeReady; // guarded by the room's stripe (Conference)

        Room(String name, String placementKey) {
            this.name = name;
            this.placementKey = placementKey;
        }

        /** The ARI bridge of the room ({@link #bridgeId(String, String)}). */
        String bridgeId() {
            return bridgeId(name, placementKey);
        }

        /**
         * {@code conf-<room>}; when the placement key is more than the room (a tenant's {@code example.com:1000}), the
         * key itself, encoded to the characters an ARI path takes ({@code _XX} for any other byte, '_' included, so
         * that two keys never share a bridge): two tenants' room 1000 on one node stay two rooms.
         */
        static String bridgeId(String name, String placementKey) {
            if (placementKey.equals(name)) {
                return "conf-" + name;
            }
            StringBuilder id = new StringBuilder("conf-");
            for (byte b : placementKey.getBytes(StandardCharsets.UTF_8)) {
                char c = (char) (b & 0xff);
                if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                    id.append(c);
                } else {
                    id.append('_').append(String.format("%02X", b & 0xff));
                }
            }
            return id.toString();
        }
    }

    /** Outcome of {@link #admit}: the room (null when refused), whether it is new, and the decision. */
    record Admitted(Room room, boolean newRoom, Decision decision) {
    }

    private final Object lock = new Object();
    private final Map<String, Room> rooms = new HashMap<>(); // by placement key; guarded by lock
    private volatile Map<String, Integer> occupancy = Map.of();

    /**
     * Decides a join under the lock (so two callers of one new room see one room): a new room by {@code newWork}, a
     * join to a hosted one by {@code join}, each given the participants before the call. An admitted call is counted
     * as pending until {@link #settle}.
     */
    Admitted admit(String key, String name, IntFunction<Decision> newWork, IntFunction<Decision> join) {
        synchronized (lock) {
            Room room = rooms.get(key);
            boolean newRoom = room == null;
            int participants = participantsLocked();
            Decision decision = newRoom ? newWork.apply(participants) : join.apply(participants);
            if (!decision.admitted()) {
                return new Admitted(null, newRoom, decision);
            }
            if (newRoom) {
                room = new Room(name, key);
                rooms.put(key, room);
            }
            room.pending++;
            return new Admitted(room, newRoom, decision);
        }
    }

    /** The admitted join is over: joined or not; true when the room is now empty (members and pending). */
    boolean settle(Room room, String channelId, boolean joined) {
        synchronized (lock) {
            room.pending--;
            if (joined) {
                room.members.add(channelId);
            }
            publishLocked();
            return room.members.isEmpty() && room.pending == 0;
        }
    }

    /** A member left the room under {@code key}; the room when it was one of its members, else null. */
    Room leave(String key, String channelId) {
        synchronized (lock) {
            Room room = rooms.get(key);
            if (room == null || !room.members.remove(channelId)) {
                return null;
            }
            publishLocked();
            return room;
        }
    }

    /** True when the room has no member and no join in progress. */
    boolean isEmpty(Room room) {
        synchronized (lock) {
            return room.members.isEmpty() && room.pending == 0;
        }
    }

    /** Removes the room if it is still the one hosted under its key and empty; true when removed. */
    boolean removeIfEmpty(Room room) {
        synchronized (lock) {
            if (rooms.get(room.placementKey) != room || !room.members.isEmpty() || room.pending > 0) {
                return false;
            }
            rooms.remove(room.placementKey);
            publishLocked();
            return true;
        }
    }

    /** Whether a room is hosted (or being opened) under the key. */
    boolean hosts(String key) {
        synchronized (lock) {
            return rooms.containsKey(key);
        }
    }

    /** Members plus joins being admitted, over every room. */
    int participants() {
        synchronized (lock) {
            return participantsLocked();
        }
    }

    /** Rooms with at least one member, by placement key (the router looks rooms up by this key). */
    Map<String, Integer> occupancy() {
        return occupancy;
    }

    private int participantsLocked() {
        int total = 0;
        for (Room room : rooms.values()) {
            total += room.members.size() + room.pending;
        }
        return total;
    }

    private void publishLocked() {
        Map<String, Integer> snapshot = new HashMap<>();
        for (Room room : rooms.values()) {
            if (!room.members.isEmpty()) {
                snapshot.put(room.placementKey, room.members.size());
            }
        }
        occupancy = Map.copyOf(snapshot);
    }
}
