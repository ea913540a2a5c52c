package io.roundhouse.agent.ami;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AsteriskMirrorTest {

    private final AtomicInteger changes = new AtomicInteger();
    private final AsteriskMirror mirror = new AsteriskMirror(changes::incrementAndGet);

    private static AsteriskSnapshot snapshot(Set<String> channels, Map<String, Set<String>> rooms) {
        return new AsteriskSnapshot(channels, Optional.of(rooms));
    }

    @Test
    void eventsDuringASnapshotAreReplayedOnIt() {
        mirror.beginSnapshot();
        // Asterisk listed channel a (still up) and b; meanwhile b hung up and c arrived and joined room 7.
        mirror.channelHungUp("b");
        mirror.channelCreated("c");
        mirror.joined("7", "c");
        Drift drift = mirror.applySnapshot(snapshot(Set.of("a", "b"), Map.of()));

        assertThat(mirror.channels()).isEqualTo(2);
        assertThat(mirror.rooms()).isEqualTo(Map.of("7", 1));
        assertThat(mirror.reachable()).isTrue();
        assertThat(drift.channelsAfter()).isEqualTo(2);
    }

    @Test
    void replayingAnEventTheSnapshotAlreadySawChangesNothing() {
        mirror.beginSnapshot();
        mirror.channelCreated("a");
        mirror.joined("1000", "a");
        Drift drift = mirror.applySnapshot(snapshot(Set.of("a"), Map.of("1000", Set.of("a"))));

        assertThat(mirror.channels()).isEqualTo(1);
        assertThat(mirror.rooms()).isEqualTo(Map.of("1000", 1));
        assertThat(drift.none()).as("events had already led to the snapshot's state").isTrue();
    }

    @Test
    void roomLifecycleFollowsConfbridgeEvents() {
        mirror.applySnapshot(snapshot(Set.of(), Map.of()));
        mirror.channelCreated("x");
        mirror.roomStarted("1000");
        mirror.joined("1000", "x");
        assertThat(mirror.rooms()).isEqualTo(Map.of("1000", 1));
        mirror.left("1000", "x");
        assertThat(mirror.rooms()).isEqualTo(Map.of("1000", 0));
        mirror.roomEnded("1000");
        mirror.channelHungUp("x");
        assertThat(mirror.rooms()).isEmpty();
        assertThat(mirror.channels()).isZero();
    }

    @Test
    void withoutRoomPermissionTheEventFedRoomsAreKept() {
        mirror.applySnapshot(snapshot(Set.of(), Map.of()));
        mirror.channelCreated("x");
        mirror.joined("5", "x");
        mirror.applySnapshot(new AsteriskSnapshot(Set.of("x"), Optional.empty()));
        assertThat(mirror.rooms()).isEqualTo(Map.of("5", 1));
    }

    @Test
    void listenersHearChangesButNotNoOps() {
        mirror.applySnapshot(snapshot(Set.of(), Map.of()));
        int afterSnapshot = changes.get();
        mirror.channelHungUp("never-seen");
        assertThat(changes.get()).isEqualTo(afterSnapshot);
        mirror.channelCreated("a");
        assertThat(changes.get()).isEqualTo(afterSnapshot + 1);
        mirror.markUnreachable();
        assertThat(changes.get()).isEqualTo(afterSnapshot + 2);
        assertThat(mirror.channels()).as("last known count is kept while unreachable").isEqualTo(1);
    }

    @Test
    void eventsWithoutUniqueidOrRoomCountNothing() {
        mirror.applySnapshot(snapshot(Set.of(), Map.of()));
        mirror.channelCreated(null);
        mirror.joined(null, "a");
        mirror.joined("1", null);
        mirror.roomStarted(null);
        assertThat(mirror.channels()).isZero();
        assertThat(mirror.rooms()).isEmpty();
    }
}
