package io.roundhouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator verbs with no router running: straight to Redis ({@code --redis URL}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliAgainstRedisTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    RedisState state;

    @BeforeEach
    void farm() {
        state = redis.open();
        Set<String> apps = Set.of("Conference");
        state.nodes().publish(new NodeState("asterisk-1", "sip:127.0.0.1:5081", NodeStatus.ACTIVE, 7, 100, 12.0,
                Map.of("example.com:1000", 2), apps, apps, "22.10.1", "test", System.currentTimeMillis()),
                Duration.ofSeconds(30));
        state.nodes().publish(new NodeState("asterisk-2", "sip:127.0.0.1:5082", NodeStatus.DRAINING, 1, 100, 3.0,
                Map.of(), apps, Set.of(), "22.10.1", "test", System.currentTimeMillis()), Duration.ofSeconds(30));
        state.placements().claim("example.com:1000", "asterisk-1");
        state.marks().markFull("asterisk-1", "conference", Duration.ofSeconds(30));
        state.decisions().record("call-id=x1 service=conference key=example.com:1000 node=asterisk-1"
                + " reason=affinity-claimed attempt=1 candidates=[] excluded=[asterisk-2:draining] at=1764096000000");
    }

    CliRun run(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--redis";
        all[1] = redis.url();
        all[2] = "--key-prefix";
        all[3] = redis.prefix();
        System.arraycopy(args, 0, all, 4, args.length);
        return CliRun.of(Map.of(), all);
    }

    @Test
    void nodesAreReadFromTheAgentsStateWithoutARouter() {
        CliRun r = run("nodes");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith("asterisk-1").contains("ready").contains("7/100").contains("12%")
                .contains("conference");
        assertThat(lines.get(2)).startsWith("asterisk-2").contains("draining");
    }

    @Test
    void aNodeWhoseAsteriskIsUnreachableShowsUnknownCountsNotZeros() throws Exception {
        state.nodes().publish(new NodeState("asterisk-3", "sip:127.0.0.1:5083", NodeStatus.UNREACHABLE, 0, 100, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "test", System.currentTimeMillis(), false, false),
                Duration.ofSeconds(30));
        String a3 = run("nodes").out().lines().filter(l -> l.startsWith("asterisk-3")).findFirst().orElseThrow();
        assertThat(a3).contains("down (Asterisk unreachable)").contains("unknown/100").contains(" unknown ");
        JsonNode json = new ObjectMapper().readTree(run("--json", "nodes").out()).get(2);
        assertThat(json.get("id").asText()).isEqualTo("asterisk-3");
        assertThat(json.get("channels").isNull()).isTrue();
        assertThat(json.get("cpu").isNull()).isTrue();
        state.placements().claim("example.com:3000", "asterisk-3");
        JsonNode room = new ObjectMapper().readTree(run("--json", "rooms").out()).get(1);
        assertThat(room.get("key").asText()).isEqualTo("example.com:3000");
        assertThat(room.get("participants").isNull()).as("unknown, not 0").isTrue();
        assertThat(room.get("node-state").asText()).isEqualTo("down");
    }

    @Test
    void roomsAndDecisionsAsJson() throws Exception {
        JsonNode rooms = new ObjectMapper().readTree(run("--json", "rooms").out());
        assertThat(rooms.get(0).get("key").asText()).isEqualTo("example.com:1000");
        assertThat(rooms.get(0).get("participants").asInt()).isEqualTo(2);
        JsonNode decisions = new ObjectMapper().readTree(run("decisions", "--json").out());
        assertThat(decisions.get(0).get("excluded").asText()).isEqualTo("[asterisk-2:draining]");
    }

    @Test
    void disableAndEnableWriteTheControlInRedis() {
        CliRun r = run("disable", "asterisk-1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("state disabled");
        assertThat(state.controls().get("asterisk-1")).contains(NodeStatus.DISABLED);
        assertThat(run("undrain", "asterisk-1").code()).as("undrain does not enable").isEqualTo(1);
        assertThat(run("enable", "asterisk-1").code()).isZero();
        assertThat(state.controls().get("asterisk-1")).isEmpty();
    }

    @Test
    void anUnknownNodeAndReloadWithoutARouterAreClearErrors() {
        CliRun unknown = run("drain", "asterisk-7");
        assertThat(unknown.code()).isEqualTo(3);
        assertThat(unknown.err()).contains("unknown node asterisk-7 (known in Redis: asterisk-1, asterisk-2");
        CliRun reload = run("reload");
        assertThat(reload.code()).isEqualTo(1);
        assertThat(reload.err()).contains("use --admin URL");
    }

    @Test
    void anUnreachableRedisIsAClearError() {
        CliRun r = CliRun.of(Map.of(), "--redis", "redis://127.0.0.1:1", "nodes");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("roundhouse: cannot read Redis");
    }
}
