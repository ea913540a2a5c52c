package io.roundhouse.shared.state;

import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node whose agent stops publishing disappears by itself within its TTL. The TTL is Redis' own (PEXPIRE), so real
 * time must pass: short TTLs and bounded waits.
 */
class NodeHeartbeatExpiryTest {

    private static final Duration TTL = Duration.ofMillis(300);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private static NodeState node(String id) {
        return new NodeState(id, "sip:10.0.0.11:5060", NodeStatus.ACTIVE, 1, 10, 5.0, Map.of("r", 1),
                Set.of(), Set.of(), "22.10.1", "0.1.0", 1L);
    }

    @Test
    void aNodeThatStopsPublishingIsGoneAfterItsTtl() {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1"), TTL);
        state.nodes().publish(node("asterisk-2"), Duration.ofSeconds(30));
        assertThat(state.nodes().read("asterisk-1")).isPresent();
        long published = System.nanoTime();

        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(25))
                .until(() -> state.nodes().read("asterisk-1").isEmpty());

        assertThat(Duration.ofNanos(System.nanoTime() - published)).isGreaterThanOrEqualTo(TTL.minusMillis(50));
        assertThat(state.nodes().readAll()).extracting(NodeState::id).containsExactly("asterisk-2");
        try (Jedis jedis = redis.jedis()) {
            // readAll pruned the index entry too: nothing of the dead node is left.
            assertThat(jedis.zrange(redis.prefix() + "nodes", 0, -1)).containsExactly("asterisk-2");
            assertThat(jedis.exists(redis.prefix() + "node:asterisk-1")).isFalse();
        }
    }

    @Test
    void aNodeThatKeepsPublishingStaysPastItsTtl() throws InterruptedException {
        RedisState state = redis.open();
        long end = System.nanoTime() + TTL.multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            state.nodes().publish(node("asterisk-1"), TTL);
            assertThat(state.nodes().readAll()).extracting(NodeState::id).containsExactly("asterisk-1");
            // The TTL runs on Redis' clock, which a test cannot drive: real time has to pass between heartbeats.
            Thread.sleep(TTL.toMillis() / 3);
        }
        assertThat(state.nodes().read("asterisk-1")).isPresent();
    }
}
