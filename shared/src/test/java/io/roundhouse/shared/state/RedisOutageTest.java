package io.roundhouse.shared.state;

import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A Redis that goes away is an explicit error naming the operation, and the same RedisState works when it is back. */
class RedisOutageTest {

    private static NodeState node() {
        return new NodeState("asterisk-1", "sip:10.0.0.11:5060", NodeStatus.ACTIVE, 0, 10, 1.0, Map.of(), Set.of(),
                Set.of(), "", "", 1L);
    }

    @Test
    void callsFailWithTheOperationAndKeyWhileRedisIsDownAndWorkWhenItIsBack() {
        try (PrivateRedis server = TestRedis.startPrivate()) {
            String prefix = TestRedis.newPrefix();
            try (RedisState state = new RedisState(server.settings(prefix))) {
                state.placements().claim("example.com:1", "asterisk-1");

                server.stop();
                assertThatThrownBy(() -> state.placements().claim("example.com:2", "asterisk-1"))
                        .isInstanceOf(StateStoreException.class)
                        .hasMessageContaining("claim placement " + prefix + "placements example.com:2")
                        .hasMessageContaining("127.0.0.1:" + server.port())
                        .hasCauseInstanceOf(JedisConnectionException.class);
                assertThatThrownBy(() -> state.nodes().readAll()).isInstanceOf(StateStoreException.class);
                assertThatThrownBy(state::ping).isInstanceOf(StateStoreException.class);

                server.start(); // empty dataset: a restarted Redis without persistence
                state.nodes().publish(node(), Duration.ofSeconds(30));
                assertThat(state.nodes().readAll()).containsExactly(node());
                assertThat(state.placements().claim("example.com:1", "asterisk-2").won()).isTrue();
            }
        }
    }

    @Test
    void afterARestartNobodyNoticedTheNextCallsSucceed() {
        try (PrivateRedis server = TestRedis.startPrivate();
             RedisState state = new RedisState(server.settings(TestRedis.newPrefix()))) {
            // Fill the pool with several idle connections, then restart Redis behind their backs.
            java.util.List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Thread t = new Thread(() -> {
                    for (int j = 0; j < 50; j++) {
                        state.ping();
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                assertThat(join(t)).isTrue();
            }
            server.stop();
            server.start();

            // Every pooled socket is dead now; each call must still succeed on its first try.
            for (int i = 0; i < 8; i++) {
                state.ping();
            }
            assertThat(state.placements().claim("example.com:1", "asterisk-1").won()).isTrue();
        }
    }

    @Test
    void anUnreachableRedisFailsWithinTheConnectTimeout() {
        try (PrivateRedis server = TestRedis.startPrivate()) {
            server.stop();
            try (RedisState state = new RedisState(server.settings(TestRedis.newPrefix()))) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> state.controls().get("asterisk-1"))
                        .isInstanceOf(StateStoreException.class)
                        .hasMessageContaining("read control");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            }
        }
    }

    private static boolean join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
