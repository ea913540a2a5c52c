package io.roundhouse.router.admin;

import static io.roundhouse.router.admin.AdminTestFarm.agent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.TestCall;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin API of a router with live dispatch, against a real Redis, over real HTTP. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApiTest {

    static final String TOKEN = "s3cret-token";

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ObjectMapper json = new ObjectMapper();
    final AtomicReference<String> reloaded = new AtomicReference<>();
    AdminTestFarm farm;
    RedisState state;
    DispatchSetup dispatch;
    AdminServer admin;

    @BeforeEach
    void start() throws Exception {
        farm = new AdminTestFarm(redis);
        state = farm.state();
        farm.publish(agent("asterisk-1", 5081, 40, 25.0, Map.of("example.com:1000", 3)))
                .publish(agent("asterisk-2", 5082, 10, 5.0, Map.of()));
        dispatch = router();
        admin = admin(dispatch, Optional.of(TOKEN));
    }

    DispatchSetup router() {
        return farm.router(3);
    }

    AdminServer admin(DispatchSetup d, Optional<String> token) {
        PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
        registry.counter("roundhouse.test.pings").increment();
        Reloader reloader = () -> {
            if ("refuse".equals(reloaded.get())) {
                throw new AdminException(422, "services[0].app: missing (expected: a Stasis application name)");
            }
            reloaded.set("done");
            return "1 node added";
        };
        return farm.admin(d, token, reloader, registry, () -> true);
    }

    @AfterEach
    void stop() throws Exception {
        farm.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + admin.port() + path);
    }

    JsonNode body(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/json"));
        return json.readTree(r.body());
    }

    JsonNode node(JsonNode nodes, String id) {
        for (JsonNode n : nodes) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id + " in " + nodes);
    }

    String chosenFor(String callId) throws Exception {
        return dispatch.dispatcher().select(TestCall.invite(callId, "5555", "example.com")).toCompletableFuture()
                .get(5, TimeUnit.SECONDS).map(DispatchTarget::nodeId).orElse("none");
    }

    @Test
    void nodesListsStaticAndAgentNodesWithStateLoadRoomsAndTheScoreDispatchWouldGive() throws Exception {
        HttpResponse<String> r = get("/api/nodes");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode nodes = body(r);
        assertThat(nodes).hasSize(3);
        JsonNode a1 = node(nodes, "asterisk-1");
        assertThat(a1.get("state").asText()).isEqualTo("ready");
        assertThat(a1.get("status").asText()).isEqualTo("active");
        assertThat(a1.get("health").asText()).isEqualTo("up");
        assertThat(a1.get("channels").asInt()).isEqualTo(40);
        assertThat(a1.get("max-channels").asInt()).isEqualTo(100);
        assertThat(a1.get("cpu").asDouble()).isEqualTo(25.0);
        assertThat(a1.get("rooms").get("example.com:1000").asInt()).isEqualTo(3);
        assertThat(a1.get("apps").toString()).isEqualTo("[\"Conference\",\"Default\"]");
        assertThat(a1.get("updated-age-seconds").asDouble()).isBetween(0.0, 30.0);
        JsonNode score = a1.get("services").findParents("service").stream()
                .filter(s -> s.get("service").asText().equals("default")).findFirst().orElseThrow();
        assertThat(score.get("score").isNumber()).isTrue();
        assertThat(score.get("why-not").isNull()).isTrue();
        JsonNode s1 = node(nodes, "static-1");
        assertThat(s1.get("configured").asBoolean()).isTrue();
        assertThat(s1.get("weight").asInt()).isEqualTo(5);
        assertThat(s1.get("status").isNull()).as("no agent").isTrue();
        assertThat(s1.get("channels").isNull()).isTrue();
    }

    @Test
    void aNodeWhoseAgentCannotReachAsteriskIsDownWithUnknownCountsNotZeros() throws Exception {
        state.nodes().publish(new NodeState("asterisk-3", "sip:127.0.0.1:5083", NodeStatus.UNREACHABLE, 0, 100, 0,
                Map.of(), Set.of(), Set.of(), "22.10.1", "test", System.currentTimeMillis(), false, false),
                Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 4);
        JsonNode a3 = node(body(get("/api/nodes")), "asterisk-3");
        assertThat(a3.get("state").asText()).isEqualTo("down");
        assertThat(a3.get("status").asText()).isEqualTo("unreachable");
        assertThat(a3.get("channels").isNull()).as("unknown, not 0").isTrue();
        assertThat(a3.get("cpu").isNull()).as("unknown, not 0").isTrue();
        assertThat(a3.get("max-channels").asInt()).isEqualTo(100);
        assertThat(a3.get("services").findValuesAsText("why-not")).as("why, not app-missing")
                .containsOnly("unreachable");
        assertThat(node(body(get("/api/nodes")), "asterisk-1").get("channels").asInt()).isEqualTo(40);
        state.placements().claim("example.com:3000", "asterisk-3");
        JsonNode room = body(get("/api/rooms")).get(0);
        assertThat(room.get("node").asText()).isEqualTo("asterisk-3");
        assertThat(room.get("participants").isNull()).as("unknown, not 0").isTrue();
        assertThat(room.get("node-state").asText()).isEqualTo("down");
    }

    @Test
    void eachNodeShowsItsLastProbeWithItsTimeResultAndLatency() throws Exception {
        DispatchSetup probing = farm.router(AdminTestFarm.CONFIG.replace("health: { enabled: false }",
                "health: { enabled: true, interval: 1s, timeout: 500ms }"), 3);
        probing.probeWith(uri -> CompletableFuture.completedFuture(uri.endsWith(":5082") ? 408 : 200));
        admin = admin(probing, Optional.of(TOKEN));
        long before = System.currentTimeMillis();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonNode nodes = body(get("/api/nodes"));
            return List.of("static-1", "asterisk-1", "asterisk-2").stream()
                    .allMatch(id -> node(nodes, id).hasNonNull("last-probe"));
        });
        JsonNode nodes = body(get("/api/nodes"));
        JsonNode ok = node(nodes, "static-1").get("last-probe");
        assertThat(ok.get("result").asText()).isEqualTo("ok");
        assertThat(ok.get("status").asInt()).isEqualTo(200);
        assertThat(ok.get("latency-seconds").asDouble()).isBetween(0.0, 0.5);
        assertThat(ok.get("age-seconds").asDouble()).isBetween(0.0, 5.0);
        assertThat(Instant.parse(ok.get("at").asText()).toEpochMilli())
                .isBetween(before - 5_000, System.currentTimeMillis());
        assertThat(node(nodes, "static-1").get("health").asText()).isEqualTo("up");
        JsonNode missed = node(nodes, "asterisk-2").get("last-probe");
        assertThat(missed.get("result").asText()).isEqualTo("missed");
        assertThat(missed.get("status").asInt()).isEqualTo(408);
        assertThat(missed.get("detail").asText()).isEqualTo("status 408");
        assertThat(node(nodes, "asterisk-2").get("probe-misses").asInt()).isPositive();
        assertThat(node(nodes, "asterisk-1").get("last-probe").get("result").asText()).isEqualTo("ok");
    }

    @Test
    void roomsShowWhereEachRoomLivesWithItsParticipants() throws Exception {
        state.placements().claim("example.com:1000", "asterisk-1");
        state.placements().claim("example.com:2000", "asterisk-9");
        JsonNode rooms = body(get("/api/rooms"));
        assertThat(rooms).hasSize(2);
        assertThat(rooms.get(0).get("key").asText()).isEqualTo("example.com:1000");
        assertThat(rooms.get(0).get("node").asText()).isEqualTo("asterisk-1");
        assertThat(rooms.get(0).get("participants").asInt()).isEqualTo(3);
        assertThat(rooms.get(0).get("node-state").asText()).isEqualTo("ready");
        assertThat(rooms.get(1).get("node-state").asText()).isEqualTo("gone");
    }

    @Test
    void decisionsAreNewestFirstSplitIntoTheirFieldsAndLimited() throws Exception {
        state.decisions().recordAll(List.of(
                "call-id=a service=default key=- node=asterisk-1 reason=strategy attempt=1 candidates=[asterisk-1:0.1]"
                        + " score=\"load (lower is better)\" excluded=[] at=1",
                "call-id=b service=default key=- node=asterisk-2 reason=strategy attempt=1 candidates=[] excluded="
                        + "[asterisk-1:draining] at=2"));
        JsonNode all = body(get("/api/decisions"));
        assertThat(all).hasSize(2);
        assertThat(all.get(0).get("call-id").asText()).isEqualTo("b");
        assertThat(all.get(0).get("excluded").asText()).isEqualTo("[asterisk-1:draining]");
        assertThat(all.get(1).get("score").asText()).isEqualTo("load (lower is better)");
        assertThat(all.get(1).get("line").asText()).startsWith("call-id=a ");
        assertThat(body(get("/api/decisions?limit=1"))).hasSize(1);
    }

    @Test
    void aBadLimitIsRefusedWithAJsonErrorSayingWhatWasExpected() throws Exception {
        for (String q : List.of("limit=0", "limit=abc", "limit=100000", "limit=", "lmit=3")) {
            HttpResponse<String> r = get("/api/decisions?" + q);
            assertThat(r.statusCode()).as(q).isEqualTo(400);
            assertThat(body(r).get("error").asText()).as(q).contains("expected");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("at io.");
        }
    }

    @Test
    void aMutationWithoutTokenIsUnauthorizedAndChangesNothing() throws Exception {
        HttpResponse<String> r = post("/api/nodes/asterisk-1/drain", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("Bearer"));
        assertThat(body(r).get("error").asText()).contains("Authorization: Bearer");
        assertThat(state.controls().get("asterisk-1")).isEmpty();
        HttpResponse<String> basic = http.send(HttpRequest.newBuilder(uri("/api/nodes/asterisk-1/drain"))
                .header("Authorization", "Basic dXNlcjpwYXNz").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(basic.statusCode()).isEqualTo(401);
    }

    @Test
    void aMutationWithAWrongTokenIsForbiddenAndChangesNothing() throws Exception {
        for (String wrong : List.of("s3cret-tokem", "s3cret-token-longer", "x")) {
            HttpResponse<String> r = post("/api/nodes/asterisk-1/disable", wrong);
            assertThat(r.statusCode()).as(wrong).isEqualTo(403);
            assertThat(body(r).get("error").asText()).isEqualTo("wrong admin token");
            assertThat(r.body()).doesNotContain(TOKEN);
        }
        assertThat(post("/api/reload", "wrong").statusCode()).isEqualTo(403);
        assertThat(reloaded.get()).isNull();
        assertThat(state.controls().get("asterisk-1")).isEmpty();
    }

    @Test
    void withoutAConfiguredTokenEveryMutationIsRefused() throws Exception {
        admin = admin(dispatch, Optional.empty());
        HttpResponse<String> r = post("/api/nodes/asterisk-1/drain", "anything");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(body(r).get("error").asText()).contains("no admin token configured")
                .contains("ROUNDHOUSE_ADMIN_TOKEN");
        assertThat(post("/api/reload", "anything").statusCode()).isEqualTo(403);
        assertThat(get("/api/nodes").statusCode()).as("reads stay open").isEqualTo(200);
    }

    @Test
    void drainIsStoredInRedisAndTheNodeTakesNoNewCallsThenUndrainBringsItBack() throws Exception {
        HttpResponse<String> r = post("/api/nodes/asterisk-2/drain", TOKEN);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode after = body(r);
        assertThat(after.get("control").asText()).isEqualTo("draining");
        assertThat(after.get("state").asText()).isEqualTo("draining");
        assertThat(state.controls().get("asterisk-2")).contains(NodeStatus.DRAINING);
        for (int i = 0; i < 10; i++) {
            assertThat(chosenFor("d" + i)).isNotEqualTo("asterisk-2");
        }
        assertThat(body(post("/api/nodes/asterisk-2/undrain", TOKEN)).get("state").asText()).isEqualTo("ready");
        assertThat(state.controls().get("asterisk-2")).isEmpty();
        assertThat(chosenFor("u1")).as("the lightest node again").isEqualTo("asterisk-2");
    }

    @Test
    void disableTakesEffectAtOnceOnAStaticNodeThatHasNoAgent() throws Exception {
        JsonNode after = body(post("/api/nodes/static-1/disable", TOKEN));
        assertThat(after.get("state").asText()).isEqualTo("disabled");
        JsonNode score = after.get("services").get(0);
        assertThat(score.get("why-not").asText()).isEqualTo("disabled");
        for (int i = 0; i < 10; i++) {
            assertThat(chosenFor("s" + i)).isNotEqualTo("static-1");
        }
    }

    @Test
    void everyRouterOnTheSameRedisObeysAControl() throws Exception {
        DispatchSetup other = router();
        post("/api/nodes/asterisk-2/disable", TOKEN);
        await().atMost(Duration.ofSeconds(5)).until(() -> other.view().current().node("asterisk-2").orElseThrow()
                .status().equals(Optional.of(NodeStatus.DISABLED)));
    }

    @Test
    void undrainDoesNotEnableADisabledNodeButEnableDoes() throws Exception {
        post("/api/nodes/asterisk-1/disable", TOKEN);
        HttpResponse<String> r = post("/api/nodes/asterisk-1/undrain", TOKEN);
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(body(r).get("error").asText()).contains("use enable");
        assertThat(state.controls().get("asterisk-1")).contains(NodeStatus.DISABLED);
        assertThat(body(post("/api/nodes/asterisk-1/enable", TOKEN)).get("state").asText()).isEqualTo("ready");
        assertThat(state.controls().get("asterisk-1")).isEmpty();
    }

    @Test
    void anUnknownNodeOrActionIsNotFoundWithWhatIsKnown() throws Exception {
        HttpResponse<String> node = post("/api/nodes/asterisk-7/drain", TOKEN);
        assertThat(node.statusCode()).isEqualTo(404);
        assertThat(body(node).get("error").asText()).contains("unknown node asterisk-7")
                .contains("static-1, asterisk-1, asterisk-2");
        HttpResponse<String> action = post("/api/nodes/asterisk-1/reboot", TOKEN);
        assertThat(action.statusCode()).isEqualTo(404);
        assertThat(body(action).get("error").asText()).contains("expected: drain, undrain, disable, enable");
        assertThat(post("/api/nodes/asterisk-1/drain/now", TOKEN).statusCode()).isEqualTo(404);
        HttpResponse<String> encoded = post("/api/nodes/a%2Fb%20c+d/drain", TOKEN);
        assertThat(encoded.statusCode()).as("a node id is one segment, decoded").isEqualTo(404);
        assertThat(body(encoded).get("error").asText()).startsWith("unknown node a/b c+d (known: ");
        assertThat(get("/api/nothing").statusCode()).isEqualTo(404);
        assertThat(state.controls().get("asterisk-7")).isEmpty();
    }

    @Test
    void aWrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = get("/api/nodes/asterisk-1/drain");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("POST");
        HttpResponse<String> p = post("/api/nodes", TOKEN);
        assertThat(p.statusCode()).isEqualTo(405);
        assertThat(p.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    @Test
    void reloadNeedsTheTokenAndReportsWhatChangedOrWhyItWasRefused() throws Exception {
        assertThat(post("/api/reload", null).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = post("/api/reload", TOKEN);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(body(ok).get("changes").asText()).isEqualTo("1 node added");
        reloaded.set("refuse");
        HttpResponse<String> refused = post("/api/reload", TOKEN);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(body(refused).get("error").asText()).startsWith("services[0].app: missing");
    }

    @Test
    void healthReadinessMetricsAndTheStatusPageShareTheListener() throws Exception {
        assertThat(body(get("/healthz")).get("status").asText()).isEqualTo("alive");
        JsonNode ready = body(get("/readyz"));
        assertThat(ready.get("ready").asBoolean()).isTrue();
        assertThat(ready.get("redis").asText()).isEqualTo("up");
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("roundhouse_test_pings_total 1.0");
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
    }

    @Test
    void readinessIsRefusedUntilTheRouterListensAndStatesARedisOutage() throws Exception {
        AdminServer starting = farm.admin(dispatch, Optional.of(TOKEN), null, null, () -> false);
        HttpResponse<String> notYet = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + starting.port() + "/readyz")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notYet.statusCode()).isEqualTo(503);
        assertThat(json.readTree(notYet.body()).get("ready").asBoolean()).isFalse();

        try (io.roundhouse.shared.testing.PrivateRedis own = TestRedis.startPrivate();
             DispatchSetup d = DispatchSetup.start(RouterConfig.parse(AdminTestFarm.CONFIG),
                     MetricsEndpoint.newRegistry(), null, own.settings(TestRedis.newPrefix()))) {
            admin = admin(d, Optional.of(TOKEN));
            own.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> !d.view().redisStatus().isUp());
            JsonNode ready = body(get("/readyz"));
            assertThat(ready.get("ready").asBoolean()).isTrue();
            assertThat(ready.get("redis").asText()).isEqualTo("down");
            assertThat(ready.get("outage").asText()).contains("last known view");
            HttpResponse<String> rooms = get("/api/rooms");
            assertThat(rooms.statusCode()).isEqualTo(503);
            assertThat(body(rooms).get("error").asText()).startsWith("Redis unreachable");
            assertThat(get("/api/nodes").statusCode()).as("the router's own view still answers").isEqualTo(200);
        }
    }
}
