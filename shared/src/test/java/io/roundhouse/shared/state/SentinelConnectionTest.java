package io.roundhouse.shared.state;

import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.PrivateSentinel;
import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** With {@code redis.sentinel.*} set, the contract reaches the master that a real Sentinel names. */
class SentinelConnectionTest {

    @Test
    void statePlacedThroughSentinelLandsOnItsMasterAndEventsFlow() throws Exception {
        try (PrivateRedis master = TestRedis.startPrivate();
             PrivateSentinel sentinel = PrivateSentinel.watch(master, "rh-master")) {
            String prefix = TestRedis.newPrefix();
            // The URL's host is not used with Sentinel (only its password, database and TLS): give a wrong one.
            RedisSettings settings = new RedisSettings("redis://192.0.2.1:1/0", prefix, Duration.ofSeconds(2),
                    Duration.ofSeconds(2), "rh-master", List.of(sentinel.hostPort()));
            try (RedisState state = new RedisState(settings)) {
                List<StateEvent> seen = new CopyOnWriteArrayList<>();
                CountDownLatch subscribed = new CountDownLatch(1);
                state.events().subscribe(seen::add, subscribed::countDown);
                assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();

                assertThat(state.placements().claim("example.com:1", "asterisk-1").won()).isTrue();

                try (Jedis direct = new Jedis("127.0.0.1", master.port())) {
                    assertThat(direct.hget(prefix + "placements", "example.com:1")).isEqualTo("asterisk-1");
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
                assertThat(seen).containsExactly(
                        StateEvent.ofRoom(StateEvent.Type.ROOM_PLACED, "example.com:1", "asterisk-1"));
            }
        }
    }
}
