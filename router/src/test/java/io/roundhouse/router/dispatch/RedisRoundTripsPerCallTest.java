package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The event loop's cost in Redis, counted by Redis itself ({@code INFO commandstats}) on a server of this test's own:
 * a call without affinity costs no Redis command, a join to a known room none, a new room one round trip.
 */
class RedisRoundTripsPerCallTest {

    static final String CONFIG = """
            services:
              - name: conference
                match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                app: Conference
                app-data: "${room}"
                affinity: "${ruri-host}:${room}"
              - { name: default, app: Default, strategy: least-loaded }
            health: { enabled: false }
            dispatch: { refresh-interval: 1h, decisions-kept: 0 }
            """;

    /** Commands executed so far, by name, from INFO commandstats (the INFO calls themselves left out). */
    static Map<String, Long> commands(Jedis jedis) {
        Map<String, Long> out = new TreeMap<>();
        for (String line : jedis.info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_info:")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String calls = line.substring(line.indexOf("calls=") + 6, line.indexOf(',', line.indexOf("calls=")));
                out.put(name, Long.parseLong(calls));
            }
        }
        return out;
    }

    static long delta(Map<String, Long> before, Map<String, Long> after, String name) {
        return after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L);
    }

    static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void plainCallsAndJoinsCostNoRedisCommandAndANewRoomOne() throws Exception {
        try (PrivateRedis server = TestRedis.startPrivate();
             Jedis jedis = new Jedis(server.url())) {
            RedisSettings settings = server.settings(TestRedis.newPrefix());
            try (RedisState agent = new RedisState(settings)) {
                agent.nodes().publish(LiveDispatchRedisTest.active("asterisk-1", 5081), Duration.ofMinutes(1));
                agent.nodes().publish(LiveDispatchRedisTest.active("asterisk-2", 5082), Duration.ofMinutes(1));
            }
            try (DispatchSetup router = DispatchSetup.start(TestRouters.live(CONFIG),
                    new SimpleMeterRegistry(), null, settings)) {
                LiveDispatcher d = router.dispatcher();
                await().atMost(Duration.ofSeconds(5)).until(() -> router.view().current().nodes().size() == 2);
                Thread.sleep(200); // let the event subscription settle
                Map<String, Long> before = commands(jedis);
                for (int i = 0; i < 100; i++) {
                    assertThat(d.select(TestCall.invite("plain-" + i, "5555", "h")).toCompletableFuture()
                            .get(5, TimeUnit.SECONDS)).isPresent();
                }
                Map<String, Long> afterPlain = commands(jedis);
                assertThat(total(afterPlain) - total(before)).as("Redis commands for 100 plain calls: %s -> %s",
                        before, afterPlain).isZero();
                for (int i = 0; i < 100; i++) {
                    assertThat(d.select(LiveDispatchRedisTest.conf("room-" + i, i % 10)).toCompletableFuture()
                            .get(5, TimeUnit.SECONDS)).isPresent();
                }
                Map<String, Long> afterRooms = commands(jedis);
                String seen = afterPlain + " -> " + afterRooms;
                // One claim script per new room; joins cost nothing. Commandstats also counts the commands a script
                // runs inside Redis (HGET, HSET, PUBLISH): those are not round trips. The first use of the script on
                // a pool may cost one EVAL after a NOSCRIPT reply.
                assertThat(delta(afterPlain, afterRooms, "evalsha")).as(seen).isEqualTo(10);
                assertThat(delta(afterPlain, afterRooms, "eval")).as(seen).isLessThanOrEqualTo(1);
                for (String name : afterRooms.keySet()) {
                    if (!java.util.Set.of("evalsha", "eval", "hget", "hset", "publish").contains(name)) {
                        assertThat(delta(afterPlain, afterRooms, name)).as(name + ": " + seen).isZero();
                    }
                }
            }
        }
    }
}
