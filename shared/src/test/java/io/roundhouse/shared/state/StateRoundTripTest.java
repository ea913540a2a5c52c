package io.roundhouse.shared.state;

import io.roundhouse.shared.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every record type of the contract goes through Redis and comes back equal, readable by plain commands. */
@org.junit.jupiter.api.Timeout(30)
class StateRoundTripTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private static NodeState node(String id, NodeStatus status, Map<String, Integer> rooms) {
        return new NodeState(id, "sip:10.0.0.11:5060", status, 42, 500, 37.5, rooms,
                Set.of("rh-conference", "rh-queue"), Set.of("conference"), "22.10.1", "0.1.0", 1_764_000_000_123L);
    }

    @Test
    void nodeStateComesBackEqualFromReadAndReadAll() {
        RedisState state = redis.open();
        NodeState a = node("asterisk-1", NodeStatus.ACTIVE, Map.of("example.com:1000", 3, "example.com:room with space", 1));
        NodeState b = new NodeState("asterisk-2", "sip:10.0.0.12:5060", NodeStatus.DRAINING, 0, 0, 0.0,
                Map.of(), Set.of(), Set.of(), null, null, 5L);

        state.nodes().publish(a, Duration.ofSeconds(30));
        state.nodes().publish(b, Duration.ofSeconds(30));

        assertThat(state.nodes().read("asterisk-1")).contains(a);
        assertThat(state.nodes().read("asterisk-2")).contains(b);
        assertThat(state.nodes().read("asterisk-3")).isEmpty();
        assertThat(state.nodes().readAll()).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void nodeStateIsAPlainHashAnOperatorCanRead() {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE, Map.of("example.com:1000", 3)), Duration.ofSeconds(30));

        try (Jedis jedis = redis.jedis()) {
            Map<String, String> hash = jedis.hgetAll(redis.prefix() + "node:asterisk-1");
            assertThat(hash).containsEntry("id", "asterisk-1")
                    .containsEntry("uri", "sip:10.0.0.11:5060")
                    .containsEntry("status", "active")
                    .containsEntry("channels", "42")
                    .containsEntry("max_channels", "500")
                    .containsEntry("cpu", "37.5")
                    .containsEntry("apps", "rh-conference,rh-queue")
                    .containsEntry("accepting", "conference")
                    .containsEntry("asterisk_version", "22.10.1")
                    .containsEntry("agent_version", "0.1.0")
                    .containsEntry("updated_at", "1764000000123")
                    .containsEntry("room:example.com:1000", "3");
            long ttl = jedis.pttl(redis.prefix() + "node:asterisk-1");
            assertThat(ttl).isBetween(1L, 30_000L);
            assertThat(jedis.zrange(redis.prefix() + "nodes", 0, -1)).containsExactly("asterisk-1");
        }
    }

    @Test
    void republishingReplacesRoomsThatEnded() {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE, Map.of("r1", 3, "r2", 1)), Duration.ofSeconds(30));
        NodeState later = node("asterisk-1", NodeStatus.ACTIVE, Map.of("r2", 2));
        state.nodes().publish(later, Duration.ofSeconds(30));

        assertThat(state.nodes().read("asterisk-1")).contains(later);
    }

    @Test
    void aNodeHostingThousandsOfRoomsIsWrittenWhole() {
        RedisState state = redis.open();
        Map<String, Integer> rooms = new java.util.HashMap<>();
        for (int i = 0; i < 5000; i++) {
            rooms.put("example.com:" + i, i % 7);
        }
        NodeState big = node("asterisk-1", NodeStatus.ACTIVE, rooms);
        state.nodes().publish(big, Duration.ofSeconds(30));

        assertThat(state.nodes().read("asterisk-1")).contains(big);
    }

    @Test
    void removeDeletesTheNodeAtOnce() {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE, Map.of()), Duration.ofSeconds(30));
        state.nodes().remove("asterisk-1");

        assertThat(state.nodes().read("asterisk-1")).isEmpty();
        assertThat(state.nodes().readAll()).isEmpty();
        assertThat(redis.keys()).doesNotContain(redis.prefix() + "node:asterisk-1");
    }

    @Test
    void placementsRoundTrip() {
        RedisState state = redis.open();
        state.placements().claim("example.com:1000", "asterisk-1");
        state.placements().claim("example.org:7", "asterisk-2");

        assertThat(state.placements().lookup("example.com:1000")).contains("asterisk-1");
        assertThat(state.placements().lookup("example.com:9999")).isEmpty();
        assertThat(state.placements().readAll())
                .isEqualTo(Map.of("example.com:1000", "asterisk-1", "example.org:7", "asterisk-2"));
    }

    @Test
    void fullMarksRoundTripPerNodeAndOverall() {
        RedisState state = redis.open();
        state.marks().markFull("asterisk-1", "conference", Duration.ofSeconds(30));
        state.marks().markFull("asterisk-1", "queue", Duration.ofSeconds(30));
        state.marks().markFull("asterisk-2", "conference", Duration.ofSeconds(30));

        assertThat(state.marks().fullServices("asterisk-1")).containsExactlyInAnyOrder("conference", "queue");
        assertThat(state.marks().fullServices("asterisk-3")).isEmpty();
        assertThat(state.marks().readAll()).isEqualTo(Map.of(
                "asterisk-1", Set.of("conference", "queue"),
                "asterisk-2", Set.of("conference")));
    }

    @Test
    void controlsRoundTripAndClear() {
        RedisState state = redis.open();
        assertThat(state.controls().get("asterisk-1")).isEmpty();

        state.controls().set("asterisk-1", NodeStatus.DRAINING);
        assertThat(state.controls().get("asterisk-1")).contains(NodeStatus.DRAINING);

        state.controls().set("asterisk-1", NodeStatus.DISABLED);
        assertThat(state.controls().get("asterisk-1")).contains(NodeStatus.DISABLED);

        state.controls().clear("asterisk-1");
        assertThat(state.controls().get("asterisk-1")).isEmpty();
    }

    @Test
    void controlsOfManyNodesAreReadInOneGoAndATypoIsLeftOut() {
        RedisState state = redis.open();
        state.controls().set("asterisk-1", NodeStatus.DRAINING);
        state.controls().set("asterisk-3", NodeStatus.DISABLED);
        try (Jedis jedis = redis.jedis()) {
            jedis.set(redis.prefix() + "control:asterisk-4", "drainnig");
        }
        assertThat(state.controls().readAll(List.of("asterisk-1", "asterisk-2", "asterisk-3", "asterisk-4")))
                .isEqualTo(Map.of("asterisk-1", NodeStatus.DRAINING, "asterisk-3", NodeStatus.DISABLED));
        assertThat(state.controls().readAll(List.of())).isEmpty();
    }

    @Test
    void anOperatorTypoInAControlIsAnErrorQuotingIt() {
        RedisState state = redis.open();
        try (Jedis jedis = redis.jedis()) {
            jedis.set(redis.prefix() + "control:asterisk-1", "drainnig");
        }
        assertThatThrownBy(() -> state.controls().get("asterisk-1"))
                .isInstanceOf(MalformedStateException.class)
                .hasMessageContaining(redis.prefix() + "control:asterisk-1")
                .hasMessageContaining("drainnig")
                .hasMessageContaining("expected: active, draining");
    }

    @Test
    void anUnreachableNodeSaysItsCountsAreUnknownRatherThanStale() {
        RedisState state = redis.open();
        NodeState unreachable = new NodeState("asterisk-1", "sip:10.0.0.11:5060", NodeStatus.UNREACHABLE, 0, 500, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "0.1.0", 7L, false, false);

        state.nodes().publish(unreachable, Duration.ofSeconds(30));

        try (Jedis jedis = redis.jedis()) {
            assertThat(jedis.hgetAll(redis.prefix() + "node:asterisk-1")).containsEntry("status", "unreachable")
                    .containsEntry("channels", "unknown").containsEntry("cpu", "unknown");
        }
        assertThat(state.nodes().read("asterisk-1")).contains(unreachable);
    }

    @Test
    void aCpuNotYetMeasuredIsUnknownWhileTheChannelsAreKnown() {
        RedisState state = redis.open();
        NodeState fresh = new NodeState("asterisk-1", "sip:10.0.0.11:5060", NodeStatus.ACTIVE, 3, 500, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "0.1.0", 7L, true, false);

        state.nodes().publish(fresh, Duration.ofSeconds(30));

        assertThat(state.nodes().read("asterisk-1")).contains(fresh);
        assertThatThrownBy(() -> new NodeState("asterisk-1", "sip:10.0.0.11:5060", NodeStatus.ACTIVE, 3, 500, 12.5,
                Map.of(), Set.of(), Set.of(), "", "", 7L, true, false)).hasMessageContaining("0 when unknown");
    }

    @Test
    void unreachableIsReportedByAgentsAndIsNoOperatorControl() {
        RedisState state = redis.open();
        try (Jedis jedis = redis.jedis()) {
            jedis.set(redis.prefix() + "control:asterisk-1", "unreachable");
        }

        assertThatThrownBy(() -> state.controls().get("asterisk-1")).isInstanceOf(MalformedStateException.class)
                .hasMessageContaining("unreachable is reported by the agent");
        assertThatThrownBy(() -> state.controls().set("asterisk-1", NodeStatus.UNREACHABLE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMalformedNodeIsLeftOutOfReadAllButReadNamesTheField() {
        RedisState state = redis.open();
        state.nodes().publish(node("asterisk-1", NodeStatus.ACTIVE, Map.of()), Duration.ofSeconds(30));
        state.nodes().publish(node("asterisk-2", NodeStatus.ACTIVE, Map.of()), Duration.ofSeconds(30));
        try (Jedis jedis = redis.jedis()) {
            jedis.hset(redis.prefix() + "node:asterisk-2", "channels", "many");
        }

        assertThat(state.nodes().readAll()).extracting(NodeState::id).containsExactly("asterisk-1");
        assertThatThrownBy(() -> state.nodes().read("asterisk-2"))
                .isInstanceOf(MalformedStateException.class)
                .hasMessageContaining("field channels: 'many' (expected: an integer)");
    }

    @Test
    void decisionLogKeepsTheNewestLinesUpToItsCap() {
        RedisState state = redis.open(3);
        for (int i = 1; i <= 5; i++) {
            state.decisions().record("call-" + i + " conference -> asterisk-1");
        }

        assertThat(state.decisions().recent(10)).containsExactly(
                "call-5 conference -> asterisk-1", "call-4 conference -> asterisk-1", "call-3 conference -> asterisk-1");
        assertThat(state.decisions().recent(1)).containsExactly("call-5 conference -> asterisk-1");
        assertThat(state.decisions().recent(0)).isEmpty();
    }

    @Test
    void decisionBatchKeepsItsOrderNewestLastAndIsTrimmedToTheCap() {
        RedisState state = redis.open(3);
        state.decisions().record("call-0 default -> asterisk-2");
        state.decisions().recordAll(List.of("call-1 default -> asterisk-1", "call-2 default -> asterisk-1"));

        assertThat(state.decisions().recent(10)).containsExactly(
                "call-2 default -> asterisk-1", "call-1 default -> asterisk-1", "call-0 default -> asterisk-2");

        List<String> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add("call-" + i + " default -> asterisk-1");
        }
        state.decisions().recordAll(many);
        assertThat(state.decisions().recent(10)).as("only the newest three of the batch")
                .containsExactly("call-2499 default -> asterisk-1", "call-2498 default -> asterisk-1",
                        "call-2497 default -> asterisk-1");
    }

    @Test
    void decisionBatchLargerThanOneScriptCallIsWrittenWhole() {
        RedisState state = redis.open(5000);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add("call-" + i);
        }
        state.decisions().recordAll(many);

        List<String> recent = state.decisions().recent(5000);
        assertThat(recent).hasSize(2500);
        assertThat(recent.get(0)).isEqualTo("call-2499");
        assertThat(recent.get(2499)).isEqualTo("call-0");
    }

    @Test
    void namesThatWouldBreakAnEventLineAreRefused() {
        RedisState state = redis.open();
        assertThatThrownBy(() -> state.placements().claim("example.com:my room", "asterisk-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("placement key");
        assertThatThrownBy(() -> state.nodes().publish(
                new NodeState("asterisk 1", "sip:x", NodeStatus.ACTIVE, 0, 0, 0, Map.of(), Set.of(), Set.of(), "", "", 0),
                Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("node id");
        assertThatThrownBy(() -> state.nodes().publish(
                new NodeState("asterisk-1", "sip:x", NodeStatus.ACTIVE, 0, 0, 0, Map.of(), Set.of("a,b"), Set.of(), "", "", 0),
                Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no commas");
        assertThat(redis.keys()).isEmpty();
    }
}
