package io.roundhouse.shared.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/** The test support cleans exactly its own keys and gives every test a prefix of its own. */
class TestRedisTest {

    @Test
    void cleanupDeletesTheTestsKeysAndNothingElse() {
        TestRedis first = new TestRedis();
        TestRedis second = new TestRedis();
        ExtensionContext none = null; // the callbacks do not look at the context
        first.beforeEach(none);
        second.beforeEach(none);
        String lookalike = first.prefix().substring(0, first.prefix().length() - 1) + "x:kept";
        try (Jedis jedis = first.jedis()) {
            jedis.set(first.prefix() + "a", "1");
            jedis.hset(first.prefix() + "node:b", "id", "b");
            jedis.set(second.prefix() + "a", "2");
            jedis.set(lookalike, "3");

            first.afterEach(none);

            assertThat(jedis.exists(first.prefix() + "a")).isFalse();
            assertThat(jedis.exists(first.prefix() + "node:b")).isFalse();
            assertThat(jedis.get(second.prefix() + "a")).isEqualTo("2");
            assertThat(jedis.get(lookalike)).isEqualTo("3");

            second.afterEach(none);
            assertThat(jedis.exists(second.prefix() + "a")).isFalse();
            jedis.del(lookalike);
        }
    }

    @Test
    void everyTestGetsItsOwnPrefix() {
        TestRedis redis = new TestRedis();
        redis.beforeEach(null);
        String one = redis.prefix();
        redis.afterEach(null);
        redis.beforeEach(null);
        String two = redis.prefix();
        redis.afterEach(null);

        assertThat(one).startsWith("rhtest:").endsWith(":").isNotEqualTo(two);
    }

    @Test
    void aPrivateServerRestartsOnTheSamePortWithAnEmptyDataset() {
        try (PrivateRedis server = TestRedis.startPrivate()) {
            int port = server.port();
            String key = TestRedis.newPrefix() + "k";
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                jedis.set(key, "v");
            }
            server.stop();
            assertThat(server.isRunning()).isFalse();
            server.start();

            assertThat(server.port()).isEqualTo(port);
            try (Jedis jedis = new Jedis("127.0.0.1", port)) {
                assertThat(jedis.ping()).isEqualTo("PONG");
                assertThat(jedis.exists(key)).isFalse();
            }
        }
    }
}
