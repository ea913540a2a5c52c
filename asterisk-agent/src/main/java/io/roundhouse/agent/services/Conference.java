package io.roundhouse.agent.services;

import io.roundhouse.agent.admission.Admission;
import io.roundhouse.agent.ari.HangupReason;
import io.roundhouse.shared.text.Template;
import io.roundhouse.shared.config.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Conference rooms on ARI mixing bridges. The Stasis data is the room. This class orders the steps of a join and a
 * leave; the accounting is {@link RoomRegistry} (no I/O), the bridge calls {@link RoomBridges} (ARI), the placement
 * claims {@link RoomPlacements} (Redis).
 *
 * <p>Admission comes first, before answering: a join to a room this node hosts is admitted up to the hard per-node
 * participant limit; a new room only while the node is under its load thresholds. A refused call is hung up
 * unanswered with reason {@code congestion}, which Asterisk's PJSIP answers with 503 and {@code Reason: Q.850;cause=34}
 * (fixture {@code sip-bounce-congestion}): the bounce the router redispatches. An admitted call is answered and added
 * to the bridge {@code conf-<room>}, created on the first join and destroyed after the last leave, when the room's
 * placement is also released (only if it still points at this node). A new room is claimed for this node before
 * it is answered; a room placed on another node is bounced, so that a router with a stale view never splits it.
 * Placements left pointing here for rooms the node no longer hosts are reclaimed by {@link #maintain()} (option
 * {@code reclaim-after}, default 60s; the rule is in {@link RoomPlacements}).
 *
 * <p>The room's placement key is the router's affinity key. The router sends it in {@code X-Exec-App-Placement} and
 * the dialplan passes it on as a last Stasis argument {@code placement=<key>}, which wins. Without it (a router of
 * another make, or a dialplan of an older release) the option {@code placement-key} renders it from the arguments:
 * variables {@code ${room}} (first Stasis argument) and {@code ${arg1}}..{@code ${arg9}} (further arguments),
 * default {@code ${room}}, with the project's one template engine ({@link Template}: values are percent-encoded
 * outside {@code [A-Za-z0-9-._~+*#@:!]}, as the router renders its affinity keys). Rooms are told apart by that key, not by name (see {@code Room.bridgeId}), and their
 * occupancy is published under it.
 */
public final class Conference implements StasisService {

    private static final Logger log = LoggerFactory.getLogger(Conference.class);
    /** Rooms travel in bridge ids and URL paths: keep them plain. */
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    /** The variables of {@code placement-key}: the first Stasis argument and the next nine. */
    private static final Set<String> VARIABLES = Set.of("room", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7",
            "arg8", "arg9");
    /** The last Stasis argument when the router sent X-Exec-App-Placement (asterisk-conf/extensions.conf). */
    static final String PLACEMENT_ARGUMENT = "placement=";
    /** Bridge operations of one room are serialized (create, add, destroy) without one lock for all rooms. */
    private static final int STRIPES = 64;

    private final String name;
    private final Admission admission;
    private final ServiceContext context;
    private final Template placementKey;
    private final Object[] stripes = new Object[STRIPES];
    private final RoomRegistry registry = new RoomRegistry();
    private final RoomBridges bridges;
    private final RoomPlacements placements;

    public Conference(ServiceSettings settings, ServiceContext context) {
        settings.requireKnownOptions(Set.of("placement-key", "reclaim-after"));
        this.name = settings.name();
        this.admission = new Admission(name, settings.thresholds(), context.load());
        this.context = context;
        this.placementKey = Template.compile("services." + name + ".placement-key",
                settings.option("placement-key", "${room}"), VARIABLES);
        Duration reclaimAfter = Durations.parse("services." + name + ".reclaim-after",
                settings.option("reclaim-after", "60s"));
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
        this.bridges = new RoomBridges(name, context.rest());
        this.placements = new RoomPlacements(name, context.placements(), context.nodeId(), reclaimAfter,
                System::nanoTime);
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
        return placementKey.render(variable -> {
            int index = variable.equals("room") ? 0 : variable.charAt(3) - '0';
            return index < args.size() ? args.get(index) : "";
        });
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
        RoomRegistry.Admitted admitted = registry.admit(roomKey, roomName,
                participants -> admission.newWork(participants, call.channelId()), admission::join);
        if (!admitted.decision().admitted()) {
            log.info("{}: bounced {} with congestion ({} room): {}", name, call, admitted.newRoom() ? "new" : "hosted",
                    admitted.decision().reason());
            call.hangup(HangupReason.CONGESTION);
            if (admitted.newRoom()) {
                // The router may have claimed the room for this node before sending the call: this node hosts
                // nothing of it, so let the router place it elsewhere (guarded: only if it still points here).
                // Under the room's stripe, so that a join admitted meanwhile (load just fell) keeps its claim.
                synchronized (stripe(roomKey)) {
                    if (!registry.hosts(roomKey)) {
                        placements.release(roomKey);
                    }
                }
            }
            return;
        }
        RoomRegistry.Room room = admitted.room();
        boolean joined = false;
        try {
            if (admitted.newRoom()) {
                boolean here;
                synchronized (stripe(roomKey)) {
                    here = placements.claimHere(roomKey, roomName);
                }
                if (!here) {
                    log.info("{}: bounced {} with congestion: its room is placed on another node", name, call);
                    call.hangup(HangupReason.CONGESTION);
                    return;
                }
            }
            call.answer();
            synchronized (stripe(roomKey)) {
                bridges.ensure(room);
                bridges.add(room, call.channelId());
            }
            joined = true;
            log.info("{}: {} joined room {} ({})", name, call, roomName, admitted.decision().reason());
        } finally {
            boolean last = registry.settle(room, call.channelId(), joined && !call.ended());
            context.changes().stateChanged();
            if (last) {
                closeIfEmpty(room);
            }
        }
    }

    @Override
    public void onEnd(Call call) {
        RoomRegistry.Room room = registry.leave(placementKey(call.args()), call.channelId());
        if (room == null) {
            return; // bounced, or never joined
        }
        log.info("{}: {} left room {}", name, call, room.name);
        context.changes().stateChanged();
        if (registry.isEmpty(room)) {
            closeIfEmpty(room);
        }
    }

    /**
     * The reclaim sweep: placements pointing here whose room this node hosts nowhere are released once orphaned for
     * {@code reclaim-after}. A key counts as hosted when the registry has it (members or a join in progress) or
     * Asterisk has its bridge (a room left by an earlier run of the agent, still mixing). Skipped while AMI or ARI is
     * unreachable (the agent could not tell) and while the node runs ConfBridge rooms (their placements cannot be
     * told apart from orphans).
     */
    @Override
    public void maintain() {
        if (!context.load().asteriskReachable() || context.load().hostsConfBridgeRooms()) {
            return;
        }
        Set<String> live;
        try {
            live = bridges.live();
        } catch (RuntimeException e) {
            log.debug("{}: reclaim sweep skipped, ARI did not list bridges: {}", name, e.toString());
            return;
        }
        placements.sweep(key -> !registry.hosts(key) && !live.contains(RoomRegistry.Room.bridgeId(key, key))
                        && !live.contains(RoomRegistry.Room.bridgeId("", key)),
                (key, check) -> {
                    synchronized (stripe(key)) {
                        check.run();
                    }
                });
    }

    /** After the last leave: destroy the bridge and release the placement, unless a join came in meanwhile. */
    private void closeIfEmpty(RoomRegistry.Room room) {
        synchronized (stripe(room.placementKey)) {
            if (!registry.removeIfEmpty(room)) {
                return;
            }
            bridges.destroy(room);
            placements.release(room.placementKey);
            log.info("{}: room {} closed", name, room.name);
        }
        context.changes().stateChanged();
    }

    private Object stripe(String roomKey) {
        return stripes[Math.floorMod(roomKey.hashCode(), STRIPES)];
    }

    @Override
    public java.util.Optional<Admission> admission() {
        return java.util.Optional.of(admission);
    }

    @Override
    public int participants() {
        return registry.participants();
    }

    @Override
    public boolean acceptsNewCalls() {
        return admission.newWork(participants()).admitted();
    }

    @Override
    public Map<String, Integer> rooms() {
        return registry.occupancy();
    }
}
