package io.roundhouse.shared.state;

import io.roundhouse.shared.testing.PrivateRedis;
import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.roundhouse.shared.state.StateEvent.Type.NODE_DOWN;
import static io.roundhouse.shared.state.StateEvent.Type.NODE_DRAINING;
import static io.roundhouse.shared.state.StateEvent.Type.NODE_UP;
import static io.roundhouse.shared.state.StateEvent.Type.ROOM_MOVED;
import static io.roundhouse.shared.state.StateEvent.Type.ROOM_PLACED;
import static io.roundhouse.shared.state.StateEvent.Type.ROOM_RELEASED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every change is announced on the channel, once, after it happened; nothing is announced for a lost race. */
class StateEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private static NodeState node(String id, NodeStatus status) {
        return new NodeState(id, "sip:10.0.0.11:5060", status, 0, 10, 1.0, Map.of(), Set.of(), Set.of(), "", "", 1L);
    }

    /** Subscribes and waits until Redis confirmed the subscription, so no event of the test is missed. */
    private static StateEvents.Subscription subscribe(RedisState state, List<StateEvent> sink) throws InterruptedException {
        CountDownLatch subscribed = new CountDownLatch(1);
        StateEvents.Subscription s = state.events().subscribe(sink::add, subscribed::countDown);
        assertThat(subscribed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("subscribed").isTrue();
        return s;
    }

    @Test
    void everyNodeAndRoomChangeIsAnnouncedInOrder() throws Exception {
        RedisState router = redis.open();
        RedisState agent = redis.open();
        List<StateEvent> seen = new CopyOnWriteArrayList<>();
        subscribe(router, seen);

        agent.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE), Duration.ofSeconds(30));   // node-up
        agent.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE), Duration.ofSeconds(30));   // heartbeat: nothing
        agent.nodes().publish(node("asterisk-1", NodeStatus.DRAINING), Duration.ofSeconds(30)); // node-draining
        agent.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE), Duration.ofSeconds(30));   // node-up again
        router.placements().claim("example.com:1", "asterisk-1");                               // room-placed
        router.placements().claim("example.com:1", "asterisk-2");                               // lost: nothing
        router.placements().move("example.com:1", "asterisk-9", "asterisk-2");                  // lost: nothing
        router.placements().move("example.com:1", "asterisk-1", "asterisk-2");                  // room-moved
        agent.placements().release("example.com:1", "asterisk-1");                              // lost: nothing
        agent.placements().release("example.com:1", "asterisk-2");                              // room-released
        agent.nodes().remove("asterisk-1");                                                     // node-down

        List<StateEvent> expected = List.of(
                StateEvent.ofNode(NODE_UP, "asterisk-1"),
                StateEvent.ofNode(NODE_DRAINING, "asterisk-1"),
                StateEvent.ofNode(NODE_UP, "asterisk-1"),
                StateEvent.ofRoom(ROOM_PLACED, "example.com:1", "asterisk-1"),
                StateEvent.ofRoom(ROOM_MOVED, "example.com:1", "asterisk-2"),
                StateEvent.ofRoom(ROOM_RELEASED, "example.com:1", "asterisk-2"),
                StateEvent.ofNode(NODE_DOWN, "asterisk-1"));
        await().atMost(WAIT).until(() -> seen.size() >= expected.size());
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void aNodeReturningAfterExpiryIsUpAgain() throws Exception {
        RedisState state = redis.open();
        List<StateEvent> seen = new CopyOnWriteArrayList<>();
        subscribe(state, seen);

        state.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE), Duration.ofMillis(200));
        await().atMost(WAIT).until(() -> state.nodes().read("asterisk-1").isEmpty());
        state.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE), Duration.ofSeconds(30));

        await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(seen).containsExactly(StateEvent.ofNode(NODE_UP, "asterisk-1"), StateEvent.ofNode(NODE_UP, "asterisk-1"));
    }

    @Test
    void publishedEventsReachEverySubscriberAsPlainLines() throws Exception {
        RedisState a = redis.open();
        RedisState b = redis.open();
        List<StateEvent> seenA = new CopyOnWriteArrayList<>();
        List<StateEvent> seenB = new CopyOnWriteArrayList<>();
        subscribe(a, seenA);
        subscribe(b, seenB);

        a.events().publish(StateEvent.ofNode(NODE_DRAINING, "asterisk-7"));

        StateEvent expected = StateEvent.ofNode(NODE_DRAINING, "asterisk-7");
        await().atMost(WAIT).until(() -> !seenA.isEmpty() && !seenB.isEmpty());
        assertThat(seenA).containsExactly(expected);
        assertThat(seenB).containsExactly(expected);
    }

    @Test
    void anUnreadableLineIsDroppedAndTheSubscriptionGoesOn() throws Exception {
        RedisState state = redis.open();
        List<StateEvent> seen = new CopyOnWriteArrayList<>();
        subscribe(state, seen);

        try (Jedis jedis = redis.jedis()) {
            jedis.publish(redis.prefix() + "events", "node-exploded asterisk-1");
            jedis.publish(redis.prefix() + "events", "room-placed only-two-words");
            jedis.publish(redis.prefix() + "events", "node-up asterisk-2");
        }

        await().atMost(WAIT).until(() -> !seen.isEmpty());
        assertThat(seen).containsExactly(StateEvent.ofNode(NODE_UP, "asterisk-2"));
    }

    @Test
    void aFailingListenerDoesNotStopDelivery() throws Exception {
        RedisState state = redis.open();
        List<StateEvent> seen = new CopyOnWriteArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        state.events().subscribe(e -> {
            seen.add(e);
            if (seen.size() == 1) {
                throw new IllegalStateException("listener bug");
            }
        }, subscribed::countDown);
        assertThat(subscribed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        state.events().publish(StateEvent.ofNode(NODE_UP, "asterisk-1"));
        state.events().publish(StateEvent.ofNode(NODE_UP, "asterisk-2"));

        await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(seen).extracting(StateEvent::subject).containsExactly("asterisk-1", "asterisk-2");
    }

    @Test
    void closingASubscriptionStopsDelivery() throws Exception {
        RedisState state = redis.open();
        List<StateEvent> seen = new CopyOnWriteArrayList<>();
        List<StateEvent> witness = new CopyOnWriteArrayList<>();
        StateEvents.Subscription closed = subscribe(state, seen);
        subscribe(state, witness);

        closed.close();
        state.events().publish(StateEvent.ofNode(NODE_UP, "asterisk-1"));

        // The witness subscription got the event, so the closed one had every chance to get it too.
        await().atMost(WAIT).until(() -> !witness.isEmpty());
        assertThat(seen).isEmpty();
    }

    @Test
    void aSubscriptionResubscribesWhenRedisComesBackAndSaysSo() throws Exception {
        try (PrivateRedis server = TestRedis.startPrivate();
             RedisState state = new RedisState(server.settings(TestRedis.newPrefix()))) {
            List<StateEvent> seen = new CopyOnWriteArrayList<>();
            AtomicInteger subscriptions = new AtomicInteger();
            state.events().subscribe(seen::add, subscriptions::incrementAndGet);
            await().atMost(WAIT).until(() -> subscriptions.get() == 1);

            server.stop();
            server.start();

            // onSubscribed runs again: the moment a router refreshes fully, since events in the gap are lost.
            await().atMost(Duration.ofSeconds(15)).until(() -> subscriptions.get() == 2);
            state.events().publish(StateEvent.ofNode(NODE_UP, "asterisk-1"));
            await().atMost(WAIT).until(() -> !seen.isEmpty());
            assertThat(seen).containsExactly(StateEvent.ofNode(NODE_UP, "asterisk-1"));
        }
    }

    @Test
    void anOperatorControlIsAnnouncedSoRoutersRereadTheNodeAtOnce() throws Exception {
        RedisState router = redis.open();
        RedisState operator = redis.open();
        List<StateEvent> seen = new CopyOnWriteArrayList<>();
        subscribe(router, seen);

        operator.controls().set("asterisk-1", NodeStatus.DISABLED);
        operator.controls().clear("asterisk-1");

        await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(seen).containsExactly(StateEvent.ofNode(NODE_DRAINING, "asterisk-1"),
                StateEvent.ofNode(NODE_UP, "asterisk-1"));
    }
}
