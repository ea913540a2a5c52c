package io.roundhouse.agent.services;

import io.roundhouse.agent.admission.Admission;
import io.roundhouse.agent.admission.Decision;
import io.roundhouse.agent.ari.HangupReason;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.state.Placements;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conference rooms on ARI mixing bridges. The Stasis data is the room.
 *
 * <p>Admission comes first, before answering: a join to a room this node hosts is admitted up to the hard per-node
 * participant limit; a new room only while the node is under its load thresholds. A refused call is hung up
 * unanswered with reason {@code congestion}, which Asterisk's PJSIP answers with 503 and {@code Reason: Q.850;cause=34}
 * (fixture {@code sip-bounce-congestion}): the bounce the router redispatches. An admitted call is answered and added
 * to the bridge {@code conf-<room>}, created on the first join and destroyed after the last leave, when the room's
 * placement is also released (only if it still points at this node). A new room is claimed for this node before
 * it is answered; a room placed on another node is bounced, so that a router with a stale view never splits it.
 *
 * <p>The room's placement key is the router's affinity key. The router sends it in {@code X-Exec-App-Placement} and
 * the dialplan passes it on as a last Stasis argument {@code placement=<key>}, which wins. Without it (a router of
 * another make, or a dialplan of an older release) the option {@code placement-key} renders it from the arguments:
 * variables {@code ${room}} (first Stasis argument) and {@code ${arg1}}..{@code ${arg9}} (further arguments),
 * default {@code ${room}}. Rooms are told apart by that key, not by name (see {@code Room.bridgeId}), and their
 * occupancy is published under it.
 */
public final class Conference implements StasisService {

    private static final Logger log = LoggerFactory.getLogger(Conference.class);
    /** Rooms travel in bridge ids and URL paths: keep them plain. */
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]*)}");
    private static final Pattern KNOWN_VARIABLE = Pattern.compile("room|arg[1-9]");
    /** The last Stasis argument when the router sent X-Exec-App-Placement (asterisk-conf/extensions.conf). */
    static final String PLACEMENT_ARGUMENT = "placement=";
    /** Bridge operations of one room are serialized (create, add, destroy) without one lock for all rooms. */
    private static final int STRIPES = 64;

    private final String name;
    private final Admission admission;
    private final ServiceContext context;
    private final String placementKey;
    private final Object[] stripes = new Object[STRIPES];

    private final Object lock = new Object();
    private final Map<String, Room> rooms = new HashMap<>(); // by placement key; guarded by lock
    private volatile Map<String, Integer> occupancy = Map.of();

    /** A hosted room: its members (in the bridge), the joins being admitted, and whether its bridge exists. */
    private static final class Room {
        final String name;
        final String placementKey;
        final Set<String> members = new LinkedHashSet<>();
        int pending;
        boolean bridgeReady; // guarded by the room's stripe

        Room(String name, String placementKey) {
            this.name = name;
            this.placementKey = placementKey;
        }

        /**
         * {@code conf-<room>}; when the placement key is more than the room (a tenant's {@code example.com:1000}), the
         * key itself, encoded to the characters an ARI path takes ({@code _XX} for any other byte, '_' included, so
         * that two keys never share a bridge): two tenants' room 1000 on one node stay two rooms.
         */
        String bridgeId() {
            if (placementKey.equals(name)) {
                return "conf-" + name;
            }
            StringBuilder id = new StringBuilder("conf-");
            for (byte b : placementKey.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
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

    public Conference(ServiceSettings settings, ServiceContext context) {
        settings.requireKnownOptions(Set.of("placement-key"));
        this.name = settings.name();
        this.admission = new Admission(name, settings.thresholds(), context.load());
        this.context = context;
        this.placementKey = settings.option("placement-key", "${room}");
        Matcher m = VARIABLE.matcher(placementKey);
        while (m.find()) {
            if (!KNOWN_VARIABLE.matcher(m.group(1)).matches()) {
                throw new ConfigException("services." + name + ".placement-key", placementKey + " (unknown variable ${"
                        + m.group(1) + "}; expected: ${room}, ${arg1}..${arg9})");
            }
        }
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @Override
    public String name() {
        return name;
    }

    /** The placement key of a room for these Stasis arguments (see the class comment). */
    String placementKey(List<String> args) {
        if (!args.isEmpty() && args.get(args.size() - 1).startsWith(PLACEMENT_ARGUMENT)) {
            return args.get(args.size() - 1).substring(PLACEMENT_ARGUMENT.length());
        }
        Matcher m = VARIABLE.matcher(placementKey);
        StringBuilder key = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1);
            int index = variable.equals("room") ? 0 : variable.charAt(3) - '0';
            m.appendReplacement(key, Matcher.quoteReplacement(index < args.size() ? args.get(index) : ""));
        }
        m.appendTail(key);
        return key.toString();
    }

    @Override
    public void onStart(Call call) {
        String roomName = call.data();
        if (!ROOM.matcher(roomName).matches()) {
            // The router sent data no room can have: a configuration fault, not a full node. 603, never retried.
            log.warn("{}: refused {}: room '{}' (expected: 1-64 of letters, digits, '_', '.', '-')", name, call, roomName);
            call.hangup(HangupReason.NORMAL);
            return;
        }
        // Rooms are told apart by placement key, not by name: tenants may use the same room numbers.
        String roomKey = placementKey(call.args());
        Room room;
        Decision decision;
        boolean newRoom;
        synchronized (lock) {
            room = rooms.get(roomKey);
            newRoom = room == null;
            int participants = participantsLocked();
            decision = newRoom ? admission.newWork(participants, call.channelId()) : admission.join(participants);
            if (decision.admitted()) {
                if (newRoom) {
                    room = new Room(roomName, roomKey);
                    rooms.put(roomKey, room);
                }
                room.pending++;
            }
        }
        if (!decision.admitted()) {
            log.info("{}: bounced {} with congestion ({} room): {}", name, call, newRoom ? "new" : "hosted",
                    decision.reason());
            call.hangup(HangupReason.CONGESTION);
            if (newRoom) {
                // The router may have claimed the room for this node before sending the call: this node hosts
                // nothing of it, so let the router place it elsewhere (guarded: only if it still points here).
                // Under the room's stripe, so that a join admitted meanwhile (load just fell) keeps its claim.
                synchronized (stripe(roomKey)) {
                    boolean hostedMeanwhile;
                    synchronized (lock) {
                        hostedMeanwhile = rooms.containsKey(roomKey);
                    }
                    if (!hostedMeanwhile) {
                        release(roomKey);
                    }
                }
            }
            return;
        }
        boolean joined = false;
        try {
            if (newRoom) {
                boolean here;
                synchronized (stripe(roomKey)) {
                    here = placedHere(room, call);
                }
                if (!here) {
                    call.hangup(HangupReason.CONGESTION);
                    return;
                }
            }
            call.answer();
            synchronized (stripe(roomKey)) {
                if (!room.bridgeReady) {
                    if (!context.rest().createMixingBridge(room.bridgeId())) {
                        log.info("{}: bridge {} already existed (left by an earlier run?), reusing it", name,
                                room.bridgeId());
                    }
                    room.bridgeReady = true;
                }
                context.rest().addChannel(room.bridgeId(), call.channelId());
            }
            joined = true;
            log.info("{}: {} joined room {} ({})", name, call, roomName, decision.reason());
        } finally {
            boolean last;
            synchronized (lock) {
                room.pending--;
                if (joined && !call.ended()) {
                    room.members.add(call.channelId());
                }
                last = room.members.isEmpty() && room.pending == 0;
                publishLocked();
            }
            context.changes().stateChanged();
            if (last) {
                closeIfEmpty(room);
            }
        }
    }

    @Override
    public void onEnd(Call call) {
        Room room = null;
        boolean last = false;
        synchronized (lock) {
            Room candidate = rooms.get(placementKey(call.args()));
            if (candidate != null && candidate.members.remove(call.channelId())) {
                room = candidate;
                last = room.members.isEmpty() && room.pending == 0;
                publishLocked();
            }
        }
        if (room == null) {
            return; // bounced, or never joined
        }
        log.info("{}: {} left room {}", name, call, room.name);
        context.changes().stateChanged();
        if (last) {
            closeIfEmpty(room);
        }
    }

    /**
     * A new room is claimed for this node before it is answered, so two nodes never host one room: when the room is
     * already placed on another node (a router with a stale view sent the call here), the call is bounced and the
     * router follows the placement. Redis unreachable: admitted, since the router owns placement and reconciles.
     */
    private boolean placedHere(Room room, Call call) {
        String owner;
        try {
            owner = context.placements().claim(room.placementKey, context.nodeId()).owner();
        } catch (RuntimeException e) {
            log.warn("{}: could not claim placement {} for new room {} (admitting): {}", name, room.placementKey,
                    room.name, e.toString());
            return true;
        }
        if (context.nodeId().equals(owner)) {
            return true;
        }
        log.info("{}: bounced {} with congestion: room {} is placed on {}", name, call, room.name, owner);
        return false;
    }

    /** After the last leave: destroy the bridge and release the placement, unless a join came in meanwhile. */
    private void closeIfEmpty(Room room) {
        synchronized (stripe(room.placementKey)) {
            synchronized (lock) {
                if (rooms.get(room.placementKey) != room || !room.members.isEmpty() || room.pending > 0) {
                    return;
                }
                rooms.remove(room.placementKey);
                publishLocked();
            }
            if (room.bridgeReady) {
                try {
                    if (!context.rest().destroyBridge(room.bridgeId())) {
                        log.debug("{}: bridge {} was already gone", name, room.bridgeId());
                    }
                } catch (RuntimeException e) {
                    log.warn("{}: could not destroy bridge {}: {}", name, room.bridgeId(), e.getMessage());
                }
            }
            release(room.placementKey);
            log.info("{}: room {} closed", name, room.name);
        }
        context.changes().stateChanged();
    }

    private void release(String key) {
        Placements placements = context.placements();
        try {
            if (placements.release(key, context.nodeId())) {
                log.info("{}: released placement {}", name, key);
            }
        } catch (RuntimeException e) {
            // Redis down: the router reconciles placements; the call must not suffer for it.
            log.warn("{}: could not release placement {}: {}", name, key, e.toString());
        }
    }

    private Object stripe(String roomKey) {
        return stripes[Math.floorMod(roomKey.hashCode(), STRIPES)];
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
                snapshot.put(room.placementKey, room.members.size()); // the router looks rooms up by this key
            }
        }
        occupancy = Map.copyOf(snapshot);
    }

    @Override
    public int participants() {
        synchronized (lock) {
            return participantsLocked();
        }
    }

    @Override
    public boolean acceptsNewCalls() {
        return admission.newWork(participants()).admitted();
    }

    @Override
    public Map<String, Integer> rooms() {
        return occupancy;
    }
}
