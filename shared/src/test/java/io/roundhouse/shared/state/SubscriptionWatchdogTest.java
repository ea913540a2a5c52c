package io.roundhouse.shared.state;

import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.testing.FreezableProxy;
import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A subscription whose connection goes silent without being closed (Redis host gone without a TCP reset) is found
 * dead by its ping watchdog and re-established; without it the subscriber would wait forever.
 */
class SubscriptionWatchdogTest {

    @Test
    void aSilentSubscriptionIsCutAndResubscribed() {
        try (PrivateRedis server = TestRedis.startPrivate();
             FreezableProxy proxy = new FreezableProxy(server.port())) {
            RedisSettings viaProxy = new RedisSettings("redis://127.0.0.1:" + proxy.port() + "/0", TestRedis.newPrefix(),
                    Duration.ofMillis(500), Duration.ofMillis(300), null, List.of());
            RedisSettings direct = server.settings(viaProxy.keyPrefix());
            try (RedisState subscriber = new RedisState(viaProxy, 10, Duration.ofMillis(100));
                 RedisState publisher = new RedisState(direct)) {
                List<StateEvent> seen = new CopyOnWriteArrayList<>();
                AtomicInteger subscriptions = new AtomicInteger();
                subscriber.events().subscribe(seen::add, subscriptions::incrementAndGet);
                await().atMost(Duration.ofSeconds(5)).until(() -> subscriptions.get() == 1);

                proxy.freezeCurrent();
                publisher.events().publish(StateEvent.ofNode(StateEvent.Type.NODE_UP, "lost-in-the-gap"));

                await().atMost(Duration.ofSeconds(10)).until(() -> subscriptions.get() == 2);
                assertThat(proxy.accepted()).isGreaterThanOrEqualTo(2);
                publisher.events().publish(StateEvent.ofNode(StateEvent.Type.NODE_UP, "asterisk-1"));
                await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
                assertThat(seen).containsExactly(StateEvent.ofNode(StateEvent.Type.NODE_UP, "asterisk-1"));
            }
        }
    }

    @Test
    void aHealthyIdleSubscriptionIsLeftAlone() {
        try (PrivateRedis server = TestRedis.startPrivate();
             RedisState state = new RedisState(server.settings(TestRedis.newPrefix()), 10, Duration.ofMillis(50))) {
            AtomicInteger subscriptions = new AtomicInteger();
            List<StateEvent> seen = new CopyOnWriteArrayList<>();
            state.events().subscribe(seen::add, subscriptions::incrementAndGet);
            await().atMost(Duration.ofSeconds(5)).until(() -> subscriptions.get() == 1);

            // Twenty ping rounds with nothing published: each is answered, none cuts the connection.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> subscriptions.get() == 1);
            state.events().publish(StateEvent.ofNode(StateEvent.Type.NODE_UP, "asterisk-1"));
            await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty());
            assertThat(subscriptions.get()).isEqualTo(1);
        }
    }
}
