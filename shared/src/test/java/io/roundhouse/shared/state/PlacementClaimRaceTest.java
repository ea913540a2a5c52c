package io.roundhouse.shared.state;

import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two routers (two independent connection pools) claim the same new rooms at the same time: every room ends with
 * exactly one owner, and every claimer was told that owner.
 */
class PlacementClaimRaceTest {

    private static final int THREADS = 8;
    private static final int ROOMS = 100;
    private static final int CLAIMS = 10_000;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    record Outcome(String room, String claimedFor, Placements.Claim claim) {}

    @Test
    void concurrentClaimsFromTwoRoutersAgreeOnOneOwnerPerRoom() throws Exception {
        RedisState routerA = redis.open();
        RedisState routerB = redis.open();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Outcome>>> futures = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                RedisState router = t % 2 == 0 ? routerA : routerB;
                futures.add(pool.submit(() -> {
                    Random random = new Random(thread);
                    List<Outcome> outcomes = new ArrayList<>(CLAIMS / THREADS);
                    go.await();
                    for (int i = 0; i < CLAIMS / THREADS; i++) {
                        String room = "example.com:" + random.nextInt(ROOMS);
                        // Each claimer proposes a different node, as routers scoring different load would.
                        String node = "asterisk-" + (thread * 10 + random.nextInt(10));
                        outcomes.add(new Outcome(room, node, router.placements().claim(room, node)));
                    }
                    return outcomes;
                }));
            }
            go.countDown();
            List<Outcome> all = new ArrayList<>();
            for (Future<List<Outcome>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }

            assertThat(all).hasSize(CLAIMS);
            Map<String, String> owners = routerA.placements().readAll();
            assertThat(owners).hasSize(ROOMS);
            Map<String, Integer> wins = new HashMap<>();
            for (Outcome o : all) {
                assertThat(o.claim().owner()).as("owner told for %s", o.room()).isEqualTo(owners.get(o.room()));
                if (o.claim().won()) {
                    assertThat(o.claimedFor()).isEqualTo(owners.get(o.room()));
                    wins.merge(o.room(), 1, Integer::sum);
                }
            }
            assertThat(wins).hasSize(ROOMS).allSatisfy((room, n) -> assertThat(n).as("wins for %s", room).isEqualTo(1));
            assertThat(routerB.placements().readAll()).isEqualTo(owners);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
