package io.roundhouse.shared.state;

import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Moving a room is a compare-and-set against its node; releasing it deletes it only for the node it is on. */
class PlacementMoveReleaseTest {

    private static final String ROOM = "example.com:1000";

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Test
    void moveFromTheCurrentNodeMovesIt() {
        Placements p = redis.open().placements();
        p.claim(ROOM, "asterisk-1");

        assertThat(p.move(ROOM, "asterisk-1", "asterisk-2")).isEqualTo(new Placements.Move("asterisk-2", true));
        assertThat(p.lookup(ROOM)).contains("asterisk-2");
    }

    @Test
    void moveFromAStaleNodeLosesAndTellsTheRealOwner() {
        Placements p = redis.open().placements();
        p.claim(ROOM, "asterisk-1");
        p.move(ROOM, "asterisk-1", "asterisk-2"); // another router moved it first

        assertThat(p.move(ROOM, "asterisk-1", "asterisk-3")).isEqualTo(new Placements.Move("asterisk-2", false));
        assertThat(p.lookup(ROOM)).contains("asterisk-2");
    }

    @Test
    void moveOfARoomNoLongerPlacedLosesWithNoOwner() {
        Placements p = redis.open().placements();

        assertThat(p.move(ROOM, "asterisk-1", "asterisk-2")).isEqualTo(new Placements.Move(null, false));
        assertThat(p.lookup(ROOM)).isEmpty();
    }

    @Test
    void concurrentMovesAfterABounceHaveOneWinnerAndEveryoneLearnsIt() throws Exception {
        RedisState routerA = redis.open();
        RedisState routerB = redis.open();
        routerA.placements().claim(ROOM, "asterisk-1");
        int movers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(movers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Placements.Move>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < movers; i++) {
                String target = "asterisk-" + (10 + i);
                RedisState router = i % 2 == 0 ? routerA : routerB;
                futures.add(pool.submit(() -> {
                    go.await();
                    return router.placements().move(ROOM, "asterisk-1", target);
                }));
            }
            go.countDown();
            List<Placements.Move> moves = new ArrayList<>();
            for (Future<Placements.Move> f : futures) {
                moves.add(f.get(30, TimeUnit.SECONDS));
            }
            String owner = routerA.placements().lookup(ROOM).orElseThrow();
            assertThat(moves).filteredOn(Placements.Move::moved).hasSize(1)
                    .allSatisfy(m -> assertThat(m.owner()).isEqualTo(owner));
            assertThat(moves).extracting(Placements.Move::owner).containsOnly(owner);
            assertThat(owner).isNotEqualTo("asterisk-1");
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void releaseByTheOwningNodeDeletesIt() {
        Placements p = redis.open().placements();
        p.claim(ROOM, "asterisk-1");

        assertThat(p.release(ROOM, "asterisk-1")).isTrue();
        assertThat(p.lookup(ROOM)).isEmpty();
        assertThat(p.readAll()).isEmpty();
    }

    @Test
    void releaseByANodeTheRoomMovedAwayFromLeavesItInPlace() {
        Placements p = redis.open().placements();
        p.claim(ROOM, "asterisk-1");
        p.move(ROOM, "asterisk-1", "asterisk-2"); // the room moved while asterisk-1's last participant was leaving

        assertThat(p.release(ROOM, "asterisk-1")).isFalse();
        assertThat(p.lookup(ROOM)).contains("asterisk-2");
    }

    @Test
    void releaseOfARoomAlreadyReleasedIsFalse() {
        Placements p = redis.open().placements();
        p.claim(ROOM, "asterisk-1");
        assertThat(p.release(ROOM, "asterisk-1")).isTrue();

        assertThat(p.release(ROOM, "asterisk-1")).isFalse();
    }

    @Test
    void aClaimAfterAReleasePlacesTheRoomAfresh() {
        Placements p = redis.open().placements();
        p.claim(ROOM, "asterisk-1");
        p.release(ROOM, "asterisk-1");

        assertThat(p.claim(ROOM, "asterisk-2")).isEqualTo(new Placements.Claim("asterisk-2", true));
    }

    @Test
    void releaseRacingAMoveEitherDeletesTheOldPlacementOrLeavesTheNewOne() throws Exception {
        RedisState routerA = redis.open();
        RedisState agent = redis.open();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 50; round++) {
                String room = "example.com:race-" + round;
                routerA.placements().claim(room, "asterisk-1");
                CountDownLatch go = new CountDownLatch(1);
                Future<Placements.Move> move = pool.submit(() -> {
                    go.await();
                    return routerA.placements().move(room, "asterisk-1", "asterisk-2");
                });
                Future<Boolean> release = pool.submit(() -> {
                    go.await();
                    return agent.placements().release(room, "asterisk-1");
                });
                go.countDown();
                boolean moved = move.get(10, TimeUnit.SECONDS).moved();
                boolean released = release.get(10, TimeUnit.SECONDS);

                // Exactly one of the two wins; the room is on the mover's target or gone, never back on asterisk-1.
                assertThat(moved ^ released).as("round %d: moved=%s released=%s", round, moved, released).isTrue();
                assertThat(routerA.placements().lookup(room)).isEqualTo(
                        moved ? java.util.Optional.of("asterisk-2") : java.util.Optional.empty());
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
