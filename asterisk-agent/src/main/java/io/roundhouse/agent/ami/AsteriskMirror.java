package io.roundhouse.agent.ami;

import io.roundhouse.agent.state.StateChangeListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The agent's live copy of what Asterisk runs: channels and ConfBridge rooms, fed by AMI events and replaced by full
 * snapshots. Thread-safe; readers never block on AMI.
 *
 * <p>Why a journal: a snapshot takes several round trips, and events keep arriving meanwhile. Every event received
 * after {@link #beginSnapshot()} is recorded and replayed on top of the snapshot when it is applied. All operations
 * are idempotent set operations keyed by Uniqueid, so an event that the snapshot already reflects changes nothing
 * when replayed, and one that it missed is not lost.
 */
public final class AsteriskMirror {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AsteriskMirror.class);

    private final Object lock = new Object();
    private final StateChangeListener listener;
    private Tally live = new Tally();
    private List<Consumer<Tally>> journal;
    private boolean reachable;
    private String version = "";

    public AsteriskMirror(StateChangeListener listener) {
        this.listener = listener;
    }

    /** A Newchannel event. */
    public void channelCreated(String uniqueId) {
        if (uniqueId == null) {
            log.debug("channelCreated without uniqueId: ignored");
            return;
        }
        apply(t -> t.channels.add(uniqueId));
    }

    /** A Hangup event: the channel is gone, and with it its place in any room. */
    public void channelHungUp(String uniqueId) {
        if (uniqueId == null) {
            log.debug("channelHungUp without uniqueId: ignored");
            return;
        }
        apply(t -> {
            t.channels.remove(uniqueId);
            t.rooms.values().forEach(members -> members.remove(uniqueId));
        });
    }

    /** A ConfbridgeStart event. */
    public void roomStarted(String room) {
        if (room == null) {
            log.debug("roomStarted without room: ignored");
            return;
        }
        apply(t -> t.rooms.computeIfAbsent(room, r -> new HashSet<>()));
    }

    /** A ConfbridgeEnd event. */
    public void roomEnded(String room) {
        if (room == null) {
            log.debug("roomEnded without room: ignored");
            return;
        }
        apply(t -> t.rooms.remove(room));
    }

    /** A ConfbridgeJoin event. */
    public void joined(String room, String uniqueId) {
        if (room == null || uniqueId == null) {
            log.debug("joined without room or Uniqueid: ignored");
            return;
        }
        apply(t -> t.rooms.computeIfAbsent(room, r -> new HashSet<>()).add(uniqueId));
    }

    /** A ConfbridgeLeave event. The room itself ends with ConfbridgeEnd. */
    public void left(String room, String uniqueId) {
        if (room == null || uniqueId == null) {
            log.debug("left without room or Uniqueid: ignored");
            return;
        }
        apply(t -> {
            Set<String> members = t.rooms.get(room);
            if (members != null) {
                members.remove(uniqueId);
            }
        });
    }

    /** Starts recording events, to replay them on top of the snapshot being taken. */
    public void beginSnapshot() {
        synchronized (lock) {
            journal = new ArrayList<>();
        }
    }

    /**
     * Replaces the state with the snapshot plus the events received since {@link #beginSnapshot()}, marks Asterisk
     * reachable, and returns what changed. Without room data (no permission), the event-fed rooms are kept.
     */
    public Drift applySnapshot(AsteriskSnapshot snapshot) {
        Drift drift;
        boolean wasReachable;
        synchronized (lock) {
            Tally next = new Tally();
            next.channels.addAll(snapshot.channels());
            if (snapshot.rooms().isPresent()) {
                snapshot.rooms().get().forEach((room, members) -> next.rooms.put(room, new HashSet<>(members)));
            } else {
                live.rooms.forEach((room, members) -> next.rooms.put(room, new HashSet<>(members)));
            }
            if (journal != null) {
                journal.forEach(op -> op.accept(next));
            }
            journal = null;
            drift = new Drift(live.channels.size(), next.channels.size(), live.roomCounts(), next.roomCounts());
            live = next;
            wasReachable = reachable;
            reachable = true;
        }
        if (!drift.none() || !wasReachable) {
            listener.stateChanged();
        }
        return drift;
    }

    /** AMI is down or Asterisk is stopping: the node must not take calls until the next snapshot. */
    public void markUnreachable() {
        boolean changed;
        synchronized (lock) {
            journal = null;
            changed = reachable;
            reachable = false;
        }
        if (changed) {
            listener.stateChanged();
        }
    }

    /** The version Asterisk reported (CoreSettings AsteriskVersion). */
    public void version(String asteriskVersion) {
        synchronized (lock) {
            version = asteriskVersion == null ? "" : asteriskVersion;
        }
    }

    public String version() {
        synchronized (lock) {
            return version;
        }
    }

    public boolean reachable() {
        synchronized (lock) {
            return reachable;
        }
    }

    /** Live channels; the last known count while Asterisk is unreachable. */
    public int channels() {
        synchronized (lock) {
            return live.channels.size();
        }
    }

    /** Live channels other than {@code uniqueId} (whether or not its Newchannel came in yet). */
    public int channelsBesides(String uniqueId) {
        synchronized (lock) {
            return live.channels.size() - (live.channels.contains(uniqueId) ? 1 : 0);
        }
    }

    /** ConfBridge rooms with their participant counts. */
    public Map<String, Integer> rooms() {
        synchronized (lock) {
            return live.roomCounts();
        }
    }

    private void apply(Consumer<Tally> op) {
        boolean changed;
        synchronized (lock) {
            int channelsBefore = live.channels.size();
            Map<String, Integer> roomsBefore = live.roomCounts();
            op.accept(live);
            if (journal != null) {
                journal.add(op);
            }
            changed = channelsBefore != live.channels.size() || !roomsBefore.equals(live.roomCounts());
        }
        if (changed) {
            listener.stateChanged();
        }
    }

    /** Mutable state, only touched under the lock. */
    private static final class Tally {
        final Set<String> channels = new HashSet<>();
        final Map<String, Set<String>> rooms = new HashMap<>();

        Map<String, Integer> roomCounts() {
            Map<String, Integer> counts = new TreeMap<>();
            rooms.forEach((room, members) -> counts.put(room, members.size()));
            return Map.copyOf(counts);
        }
    }
}
