package io.roundhouse.agent.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The timing of the reclaim rule, on an injected clock and real Redis: orphaned at every sweep for reclaim-after. */
@Timeout(10)
class RoomPlacementsTest {

    private static final Duration RECLAIM_AFTER = Duration.ofSeconds(60);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private final AtomicLong clock = new AtomicLong();
    private final Set<String> hosted = new HashSet<>();
    private Placements placements;
    private RoomPlacements rooms;

    @BeforeEach
    void open() {
        placements = redis.open().placements();
        rooms = new RoomPlacements("Conference", placements, "asterisk-1", RECLAIM_AFTER, clock::get);
    }

    private void sweepAt(Duration at) {
        clock.set(at.toNanos());
        rooms.sweep(key -> !hosted.contains(key), (key, check) -> check.run());
    }

    @Test
    void anOrphanIsReleasedOnlyOnceItWasOrphanedForReclaimAfter() {
        placements.claim("1000", "asterisk-1");

        sweepAt(Duration.ZERO);
        sweepAt(Duration.ofSeconds(59));
        assertThat(placements.lookup("1000")).contains("asterisk-1");

        sweepAt(Duration.ofSeconds(60));
        assertThat(placements.lookup("1000")).isEmpty();
    }

    @Test
    void aRoomHostedAgainBetweenTwoSweepsStartsItsWaitOver() {
        placements.claim("1000", "asterisk-1");
        sweepAt(Duration.ZERO);

        hosted.add("1000"); // a join reopened the room
        sweepAt(Duration.ofSeconds(30));
        hosted.remove("1000");
        sweepAt(Duration.ofSeconds(61));
        assertThat(placements.lookup("1000")).as("orphaned again only since 61 s").contains("asterisk-1");

        sweepAt(Duration.ofSeconds(121));
        assertThat(placements.lookup("1000")).isEmpty();
    }
}
