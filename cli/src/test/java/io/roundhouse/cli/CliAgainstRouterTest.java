package io.roundhouse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roundhouse.router.admin.AdminServer;
import io.roundhouse.router.admin.AdminTestFarm;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operator verbs against a running router's admin API, over real HTTP, with the farm's state in a real Redis. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliAgainstRouterTest {

    static final String TOKEN = "cli-test-token";

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    AdminTestFarm farm;
    RedisState state;
    AdminServer admin;

    @BeforeEach
    void start() throws Exception {
        farm = new AdminTestFarm(redis);
        state = farm.state();
        farm.publish(AdminTestFarm.agent("asterisk-1", 5081, 42, 37.5, Map.of("example.com:1000", 3)));
        state.placements().claim("example.com:1000", "asterisk-1");
        state.decisions().record("call-id=abc service=conference key=example.com:1000 node=asterisk-1"
                + " reason=affinity-claimed attempt=1 candidates=[asterisk-1:0.210] score=\"load (lower is better)\""
                + " excluded=[] at=1764096000000");
        state.decisions().record("call-id=def service=default key=- node=static-1 reason=redispatch attempt=2"
                + " failed=asterisk-1:503 candidates=[static-1:0.000] score=\"load (lower is better)\""
                + " excluded=[asterisk-1:tried] router=router-a at=2025-11-25T18:40:01Z");
        admin = farm.admin(farm.router(2), Optional.of(TOKEN), () -> "nothing changed", null, () -> true);
    }

    @AfterEach
    void stop() throws Exception {
        farm.close();
    }

    String url() {
        return "http://127.0.0.1:" + admin.port();
    }

    CliRun run(String... args) {
        return CliRun.of(Map.of(RoundhouseCli.TOKEN_ENV, TOKEN, RoundhouseCli.ADMIN_ENV, url()), args);
    }

    @Test
    void nodesPrintsAnAlignedTableOfEveryNodeTheRouterKnows() {
        CliRun r = run("nodes");
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).startsWith("NODE").contains("STATE").contains("HEALTH").contains("CALLS")
                .contains("SCORES");
        assertThat(lines).hasSize(3);
        String a1 = lines.stream().filter(l -> l.startsWith("asterisk-1")).findFirst().orElseThrow();
        assertThat(a1).contains("ready").contains("up").contains("42/100").contains("38%").contains("default=");
        assertThat(lines.get(0).indexOf("STATE")).as("aligned").isEqualTo(a1.indexOf("ready"));
        assertThat(lines).anyMatch(l -> l.startsWith("static-1") && l.contains("ready"));
    }

    @Test
    void nodesShowTheLastProbeAndUnknownCountsOfANodeWhoseAsteriskIsUnreachable() {
        state.nodes().publish(new NodeState("asterisk-3", "sip:127.0.0.1:5083", NodeStatus.UNREACHABLE, 0, 100, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "test", System.currentTimeMillis(), false, false),
                Duration.ofSeconds(30));
        DispatchSetup probing = farm.router(AdminTestFarm.CONFIG.replace("health: { enabled: false }",
                "health: { enabled: true, interval: 1s, timeout: 500ms }"), 3);
        probing.probeWith(uri -> CompletableFuture.completedFuture(uri.endsWith(":5083") ? 408 : 200));
        AdminServer probed = farm.admin(probing, Optional.of(TOKEN), null, null, () -> true);
        Map<String, String> env = Map.of(RoundhouseCli.ADMIN_ENV, "http://127.0.0.1:" + probed.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> CliRun.of(env, "nodes").out().lines()
                .filter(l -> l.contains(" ago ")).count() == 3);
        List<String> lines = CliRun.of(env, "nodes").out().lines().toList();
        assertThat(lines.get(0)).contains("PROBE");
        String a3 = lines.stream().filter(l -> l.startsWith("asterisk-3")).findFirst().orElseThrow();
        assertThat(a3).contains("down (Asterisk unreachable)").contains("missed ").contains("unknown/100")
                .contains(" unknown ").doesNotContain(" 0/100").doesNotContain(" 0%");
        String s1 = lines.stream().filter(l -> l.startsWith("static-1")).findFirst().orElseThrow();
        assertThat(s1).containsPattern(" 200 \\d+ms \\d+\\.\\ds ago ");
        assertThat(lines.get(0).indexOf("PROBE")).as("aligned").isEqualTo(s1.indexOf("200 "));
    }

    @Test
    void jsonGivesTheAdminApisFields() throws Exception {
        CliRun r = run("--json", "nodes");
        assertThat(r.code()).isZero();
        JsonNode nodes = new ObjectMapper().readTree(r.out());
        assertThat(nodes).hasSize(2);
        assertThat(nodes.findValuesAsText("id")).contains("static-1", "asterisk-1");
        CliRun after = run("rooms", "--json");
        assertThat(new ObjectMapper().readTree(after.out()).get(0).get("participants").asInt()).isEqualTo(3);
    }

    @Test
    void roomsAndDecisionsShowWhereRoomsLiveAndWhy() {
        CliRun rooms = run("rooms");
        assertThat(rooms.out()).contains("ROOM").contains("example.com:1000").contains("asterisk-1");
        CliRun decisions = run("decisions", "-n", "5");
        assertThat(decisions.code()).isZero();
        assertThat(decisions.out()).contains("REASON").contains("affinity-claimed").contains("abc")
                .contains("2025-11-25 18:40:00.000Z");
        String redispatch = decisions.out().lines().filter(l -> l.contains("def")).findFirst().orElseThrow();
        assertThat(redispatch).startsWith("2025-11-25 18:40:01.000Z").contains("redispatch")
                .contains("asterisk-1:503").endsWith("router-a");
        assertThat(decisions.out().lines().findFirst().orElseThrow()).contains("FAILED").endsWith("ROUTER");
    }

    @Test
    void drainAndUndrainChangeTheNodeForEveryRouterThroughRedis() throws Exception {
        CliRun drain = run("drain", "asterisk-1");
        assertThat(drain.code()).as(drain.err()).isZero();
        assertThat(drain.out()).contains("asterisk-1: drain done; state draining");
        assertThat(state.controls().get("asterisk-1")).contains(NodeStatus.DRAINING);
        assertThat(run("nodes").out()).contains("draining (draining by operator)");
        assertThat(run("undrain", "asterisk-1").code()).isZero();
        assertThat(state.controls().get("asterisk-1")).isEmpty();
        assertThat(run("disable", "static-1").out()).contains("state disabled");
        assertThat(run("enable", "static-1").out()).contains("state ready");
    }

    @Test
    void reloadTellsWhatChanged() {
        CliRun r = run("reload");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("reloaded: nothing changed");
    }

    @Test
    void anUnknownNodeIsAClearErrorNamingTheKnownOnes() {
        CliRun r = run("drain", "asterisk-9");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err()).contains("unknown node asterisk-9").contains("static-1, asterisk-1");
        assertThat(r.err()).doesNotContain("Exception");
        CliRun odd = run("disable", "no such/node%");
        assertThat(odd.code()).isEqualTo(3);
        assertThat(odd.err()).contains("unknown node no such/node% (known: ");
    }

    @Test
    void aWrongOrMissingTokenIsAClearError() {
        CliRun wrong = CliRun.of(Map.of(RoundhouseCli.TOKEN_ENV, "not-it"), "--admin", url(), "drain", "asterisk-1");
        assertThat(wrong.code()).isEqualTo(4);
        assertThat(wrong.err()).contains("refused the token").contains("wrong admin token");
        CliRun missing = CliRun.of(Map.of(), "--admin", url(), "disable", "asterisk-1");
        assertThat(missing.code()).isEqualTo(4);
        assertThat(missing.err()).contains("needs the router's admin token: set ROUNDHOUSE_ADMIN_TOKEN");
        assertThat(state.controls().readAll(List.of("asterisk-1"))).isEmpty();
    }

    @Test
    void anUnreachableRouterIsAClearErrorPointingToRedis() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        CliRun r = CliRun.of(Map.of(), "nodes", "--admin", "http://127.0.0.1:" + closed);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("roundhouse: cannot reach the router's admin API at http://127.0.0.1:" + closed)
                .contains("--redis URL");
        assertThat(r.err().lines().count()).as("one line, no stack trace").isEqualTo(1);
    }

    @Test
    void usageErrorsExitTwoWithoutTouchingTheFarm() {
        assertThat(run("decisions", "-n", "0").code()).isEqualTo(2);
        assertThat(run("drain").code()).isEqualTo(2);
        assertThat(run("frobnicate").code()).isEqualTo(2);
        assertThat(run("--admin", url(), "--redis", redis.url(), "nodes").code()).isEqualTo(2);
    }
}
