package io.roundhouse.agent.services;

import io.roundhouse.agent.state.SettableLoad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.agent.ari.AriSettings;
import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.agent.fakes.ari.AriEventFrames;
import io.roundhouse.agent.fakes.ari.AsteriskFixtures;
import io.roundhouse.agent.fakes.ari.FakeAriRest;
import io.roundhouse.agent.fakes.ari.FakeAsterisk;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The agent's hands end to end: ServiceHost over a fake Asterisk (WireMock REST and a WebSocket replaying captured
 * event frames) with placements in a real Redis.
 */
class ServiceHostTest {

    private static final String NODE = "asterisk-1";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private final FakeAsterisk asterisk = new FakeAsterisk();
    private final FakeAriRest rest = asterisk.rest();
    private final SettableLoad load = new SettableLoad();
    private final AtomicInteger changes = new AtomicInteger();
    private Placements placements;
    private ServiceHost host;

    @BeforeEach
    void start() throws Exception {
        placements = redis.open().placements();
        host = host(new ServiceCatalog(), List.of("Conference", "Echo"));
    }

    private ServiceHost host(ServiceCatalog catalog, List<String> apps) throws Exception {
        return host(catalog, apps, """
                Conference: { max-participants-per-node: 3, new-room-max-channels: 10, new-room-max-cpu: 80 }
                Echo: { max-participants-per-node: 1 }
                """);
    }

    private ServiceHost host(ServiceCatalog catalog, List<String> apps, String servicesYaml) throws Exception {
        AriSettings ari = new AriSettings(asterisk.url(), FakeAriRest.USER, FakeAriRest.PASSWORD, apps,
                Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1));
        ServicesSettings services = ServicesSettings.parse(new ObjectMapper(new YAMLFactory()).readTree(servicesYaml));
        ServiceHost started = new ServiceHost(ari, services, load, placements, NODE, changes::incrementAndGet, catalog);
        started.start();
        await().atMost(WAIT).until(() -> started.registeredApps().size() == apps.size());
        return started;
    }

    @AfterEach
    void stop() {
        if (host != null) {
            host.close();
        }
        asterisk.close();
    }

    private void send(String frame) {
        asterisk.send(frame);
    }

    private void join(String channel, String room) {
        send(AriEventFrames.stasisStart("Conference", channel, room));
    }

    private void leave(String channel, String room) {
        send(AriEventFrames.channelLeftBridge("Conference", channel, room));
        send(AriEventFrames.stasisEnd("Conference", channel, room));
    }

    @Test
    void joinsAndLeavesUpdateOccupancyAndTheLastLeaveDestroysTheBridgeAndReleasesThePlacement() {
        rest.bridgeLifecycle("conf-1000");
        assertThat(placements.claim("1000", NODE).won()).isTrue(); // as the router does before sending the call

        join("1795439762.101", "1000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("1000", 1)));
        assertThat(rest.answers("1795439762.101")).isEqualTo(1);
        assertThat(rest.bridgeCreates("conf-1000")).isEqualTo(1);
        assertThat(rest.channelAdds("conf-1000", "1795439762.101")).isEqualTo(1);
        assertThat(rest.bridgeExists("conf-1000")).isTrue();

        join("1795439762.102", "1000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("1000", 2)));
        assertThat(rest.bridgeCreates("conf-1000")).as("one bridge per room").isEqualTo(1);

        leave("1795439762.101", "1000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("1000", 1)));
        assertThat(placements.lookup("1000")).contains(NODE);
        assertThat(rest.bridgeDestroys("conf-1000")).isZero();

        int changesBefore = changes.get();
        leave("1795439762.102", "1000");
        await().atMost(WAIT).until(() -> host.rooms().isEmpty() && rest.bridgeDestroys("conf-1000") == 1);
        await().atMost(WAIT).until(() -> placements.lookup("1000").isEmpty());
        assertThat(rest.bridgeExists("conf-1000")).isFalse();
        assertThat(changes.get()).isGreaterThan(changesBefore);
        assertThat(rest.hangups("1795439762.101")).as("callers hung up themselves").isZero();
    }

    @Test
    void twoTenantsRoomsOfOneNumberOnOneNodeAreTwoRoomsWithTwoBridges() {
        // The router's placement keys reach the service as a last Stasis argument (asterisk-conf/extensions.conf).
        rest.bridgeLifecycle("conf-a.example_3A1000");
        rest.bridgeLifecycle("conf-b.example_3A1000");

        join("1795439762.201", "1000,placement=a.example:1000");
        join("1795439762.202", "1000,placement=b.example:1000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("a.example:1000", 1, "b.example:1000", 1)));
        assertThat(rest.channelAdds("conf-a.example_3A1000", "1795439762.201")).isEqualTo(1);
        assertThat(rest.channelAdds("conf-b.example_3A1000", "1795439762.202")).isEqualTo(1);
        assertThat(placements.lookup("a.example:1000")).contains(NODE);
        assertThat(placements.lookup("b.example:1000")).contains(NODE);

        leave("1795439762.201", "1000,placement=a.example:1000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("b.example:1000", 1))
                && rest.bridgeDestroys("conf-a.example_3A1000") == 1);
        assertThat(placements.lookup("a.example:1000")).isEmpty();
        assertThat(rest.bridgeExists("conf-b.example_3A1000")).isTrue();
    }

    @Test
    void theCapturedConferenceFlowReplayedGivesTheCapturedAppsRestCallsInOrder() throws Exception {
        // ari-events-conference.jsonl as captured (channel 1795439762.9, room 1000), every frame in order.
        List<String> frames = AsteriskFixtures.eventFrames("ari-events-conference.jsonl");
        rest.bridgeLifecycle("conf-1000");

        send(frames.get(0)); // StasisStart
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("1000", 1)));
        frames.subList(1, frames.size()).forEach(this::send); // ... ChannelLeftBridge, StasisEnd, BridgeDestroyed
        await().atMost(WAIT).until(() -> host.rooms().isEmpty() && rest.bridgeDestroys("conf-1000") == 1);

        // What the capturing app changed with success (its GETs and the 409/404 probes were checks, not the flow).
        List<String> captured = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : AsteriskFixtures.text("ari-rest-conference.jsonl").split("\n")) {
            JsonNode exchange = json.readTree(line);
            if (!exchange.get("method").asText().equals("GET") && exchange.get("status").asInt() < 300) {
                captured.add(exchange.get("method").asText() + " "
                        + FakeAriRest.normalized(exchange.get("path").asText()));
            }
        }
        assertThat(captured).hasSize(4);
        assertThat(rest.changes()).isEqualTo(captured);
    }

    @Test
    void theLastLeaveDoesNotReleaseAPlacementThatNowPointsAtAnotherNode() {
        rest.bridgeLifecycle("conf-1001");
        placements.claim("1001", NODE);
        join("1795439762.111", "1001");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("1001", 1)));

        assertThat(placements.move("1001", NODE, "asterisk-2").moved()).isTrue();
        leave("1795439762.111", "1001");

        await().atMost(WAIT).until(() -> rest.bridgeDestroys("conf-1001") == 1);
        assertThat(host.rooms()).isEmpty();
        assertThat(placements.lookup("1001")).contains("asterisk-2");
    }

    @Test
    void aNewRoomOnAnOverloadedNodeIsBouncedWithCongestionAndLeavesNothingBehind() {
        rest.bridgeLifecycle("conf-2000");
        placements.claim("2000", NODE); // the router placed the new room here before the node said no
        load.cpu = 95;
        assertThat(host.acceptingServices()).doesNotContain("Conference");

        join("1795439762.201", "2000");

        await().atMost(WAIT).until(() -> rest.hangups("1795439762.201", "congestion") == 1);
        send(AriEventFrames.stasisEnd("Conference", "1795439762.201", "2000"));
        await().atMost(WAIT).until(() -> placements.lookup("2000").isEmpty());
        assertThat(rest.answers("1795439762.201")).as("refused before answer").isZero();
        assertThat(rest.bridgeCreates("conf-2000")).isZero();
        assertThat(rest.bridgeExists("conf-2000")).isFalse();
        assertThat(host.rooms()).isEmpty();
        assertThat(redis.keys()).noneMatch(key -> key.contains("2000"));
    }

    @Test
    void aNewRoomAlreadyPlacedOnAnotherNodeIsBouncedSoTheRoomIsNeverSplit() {
        rest.bridgeLifecycle("conf-8000");
        placements.claim("8000", "asterisk-2");

        join("1795439762.801", "8000");

        await().atMost(WAIT).until(() -> rest.hangups("1795439762.801", "congestion") == 1);
        assertThat(rest.answers("1795439762.801")).isZero();
        assertThat(rest.bridgeCreates("conf-8000")).isZero();
        assertThat(host.rooms()).isEmpty();
        assertThat(placements.lookup("8000")).contains("asterisk-2");
    }

    @Test
    void aNewRoomIsClaimedForThisNodeBeforeItIsAnswered() {
        rest.bridgeLifecycle("conf-8001");

        join("1795439762.811", "8001");

        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("8001", 1)));
        assertThat(placements.lookup("8001")).contains(NODE);
    }

    @Test
    void joinsToAHostedRoomAreAdmittedOnAnOverloadedNodeUpToTheHardParticipantLimit() {
        rest.bridgeLifecycle("conf-3000");
        join("1795439762.301", "3000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("3000", 1)));

        load.cpu = 99;
        load.channels = 500;
        join("1795439762.302", "3000");
        join("1795439762.303", "3000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("3000", 3)));

        join("1795439762.304", "3000"); // max-participants-per-node: 3
        await().atMost(WAIT).until(() -> rest.hangups("1795439762.304", "congestion") == 1);
        assertThat(rest.answers("1795439762.304")).isZero();
        assertThat(host.rooms()).isEqualTo(Map.of("3000", 3));
    }

    @Test
    void droppedAriWebSocketUnregistersEveryAppWithinOneSecondThenReconnects() {
        assertThat(host.acceptingServices()).containsExactlyInAnyOrder("Conference", "Echo");
        int changesBefore = changes.get();

        long dropped = System.nanoTime();
        asterisk.events().drop();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> host.registeredApps().isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - dropped)).isLessThan(Duration.ofSeconds(1));
        assertThat(host.acceptingServices()).isEmpty();
        assertThat(changes.get()).as("publisher told").isGreaterThan(changesBefore);

        await().atMost(WAIT).until(() -> host.registeredApps().equals(Set.of("Conference", "Echo")));
        assertThat(host.acceptingServices()).containsExactlyInAnyOrder("Conference", "Echo");
    }

    @Test
    void aCallerWhoHungUpWhileTheWebSocketWasDownIsEndedAfterTheReconnect() {
        rest.bridgeLifecycle("conf-5000");
        placements.claim("5000", NODE);
        join("1795439762.601", "5000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("5000", 1)));

        // The WebSocket drops; meanwhile the caller hangs up, so its StasisEnd is never delivered to this agent.
        // After the reconnect, GET /ari/channels no longer lists the channel.
        asterisk.events().refuse(true);
        asterisk.events().drop();
        await().atMost(WAIT).until(() -> host.registeredApps().isEmpty());
        asterisk.channelGone("1795439762.601");
        asterisk.events().refuse(false);

        await().atMost(WAIT).until(() -> host.rooms().isEmpty() && rest.bridgeDestroys("conf-5000") == 1);
        await().atMost(WAIT).until(() -> placements.lookup("5000").isEmpty());
        assertThat(host.registeredApps()).contains("Conference");
    }

    @Test
    void concurrentJoinsAndLeavesOfSeveralRoomsEndWithNothingLeftBehind() throws Exception {
        host.close();
        host = host(new ServiceCatalog(), List.of("Conference", "Echo"),
                "Conference: { max-participants-per-node: 200, new-room-max-channels: 1000 }");
        List<String> rooms = List.of("7000", "7001", "7002", "7003");
        rooms.forEach(room -> {
            rest.bridgeLifecycle("conf-" + room);
            placements.claim(room, NODE);
        });
        int perRoom = 10;

        // Frames go out back to back, so the workers admit, answer and bridge these calls concurrently.
        for (int i = 0; i < perRoom; i++) {
            for (String room : rooms) {
                join("1795439762." + room + i, room);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> host.rooms().equals(Map.of(
                "7000", perRoom, "7001", perRoom, "7002", perRoom, "7003", perRoom)));
        for (String room : rooms) {
            assertThat(rest.bridgeCreates("conf-" + room)).as("one bridge for room %s", room).isEqualTo(1);
        }

        for (int i = 0; i < perRoom; i++) {
            for (String room : rooms) {
                leave("1795439762." + room + i, room);
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> host.rooms().isEmpty()
                && rooms.stream().allMatch(room -> rest.bridgeDestroys("conf-" + room) == 1));
        await().atMost(WAIT).until(() -> rooms.stream().allMatch(room -> placements.lookup(room).isEmpty()));
        assertThat(rooms).noneMatch(room -> rest.bridgeExists("conf-" + room));
    }

    @Test
    void aServiceThatThrowsHasItsChannelHungUpAndTheHostKeepsServing() throws Exception {
        host.close();
        StasisService failsBeforeAnswer = new Failing("FailsEarly", false);
        StasisService failsAfterAnswer = new Failing("FailsLate", true);
        host = host(new ServiceCatalog(Map.of(
                "Conference", Conference::new,
                "Echo", Echo::new,
                "FailsEarly", (settings, context) -> failsBeforeAnswer,
                "FailsLate", (settings, context) -> failsAfterAnswer)),
                List.of("Conference", "Echo", "FailsEarly", "FailsLate"));

        send(AriEventFrames.stasisStart("FailsEarly", "1795439762.401", "x"));
        send(AriEventFrames.stasisStart("FailsLate", "1795439762.402", "x"));

        await().atMost(WAIT).until(() -> rest.hangups("1795439762.401", "congestion") == 1
                && rest.hangups("1795439762.402", "normal") == 1);
        assertThat(rest.hangups("1795439762.401")).isEqualTo(1);
        assertThat(rest.hangups("1795439762.402")).isEqualTo(1);

        rest.bridgeLifecycle("conf-4000");
        join("1795439762.403", "4000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("4000", 1)));
        assertThat(host.registeredApps()).contains("Conference");
    }

    @Test
    void echoAnswersAndCountsItsCallUntilStasisEnd() {
        assertThat(host.acceptingServices()).contains("Echo");
        send(AriEventFrames.stasisStart("Echo", "1795439762.501", ""));
        await().atMost(WAIT).until(() -> rest.answers("1795439762.501") == 1);
        assertThat(host.acceptingServices()).as("Echo is at its limit of 1 call").doesNotContain("Echo");

        send(AriEventFrames.stasisStart("Echo", "1795439762.502", ""));
        await().atMost(WAIT).until(() -> rest.hangups("1795439762.502", "congestion") == 1);
        assertThat(rest.answers("1795439762.502")).isZero();

        send(AriEventFrames.stasisEnd("Echo", "1795439762.501", ""));
        await().atMost(WAIT).until(() -> host.acceptingServices().contains("Echo"));
        assertThat(rest.hangups("1795439762.501")).as("the caller hung up, not the agent").isZero();
        assertThat(host.rooms()).isEmpty();
    }

    @Test
    @Timeout(10)
    void reloadedThresholdsDecideTheNextCallAndWhatTheNodeAdvertises() throws Exception {
        assertThat(host.acceptingServices()).contains("Echo");

        List<String> changed = host.reloadThresholds(ServicesSettings.parse(new ObjectMapper(new YAMLFactory())
                .readTree("{ Conference: { max-participants-per-node: 3, new-room-max-channels: 10,"
                        + " new-room-max-cpu: 80 }, Echo: { max-channels: 0 } }")));

        assertThat(changed).singleElement().asString().startsWith("Echo: ");
        assertThat(host.acceptingServices()).doesNotContain("Echo").contains("Conference");
        arrives("Echo", "1795439762.611", "");
        await().atMost(WAIT).until(() -> rest.hangups("1795439762.611", "congestion") == 1);
    }

    /** A call reaching Asterisk: AMI shows its channel (as it does before StasisStart), then Stasis gets it. */
    private void arrives(String app, String channel, String data) {
        load.channelIds.add(channel);
        load.channels = load.channelIds.size();
        send(AriEventFrames.stasisStart(app, channel, data));
    }

    @Test
    @Timeout(10)
    void echoWithMaxChannelsTwoTakesTwoCallsOnAnIdleNodeAndAdvertisesExactlyWhatItTakes() throws Exception {
        host.close();
        host = host(new ServiceCatalog(), List.of("Echo"), "Echo: { max-channels: 2 }");
        assertThat(host.acceptingServices()).contains("Echo");

        arrives("Echo", "1795439762.601", "");
        await().atMost(WAIT).until(() -> rest.answers("1795439762.601") == 1);
        assertThat(host.acceptingServices()).as("1 channel of 2: advertised").contains("Echo");

        arrives("Echo", "1795439762.602", "");
        await().atMost(WAIT).until(() -> rest.answers("1795439762.602") == 1);
        assertThat(host.acceptingServices()).as("2 channels of 2: not advertised").doesNotContain("Echo");

        arrives("Echo", "1795439762.603", "");
        await().atMost(WAIT).until(() -> rest.hangups("1795439762.603", "congestion") == 1);
        assertThat(rest.answers("1795439762.603")).isZero();
    }

    @Test
    @Timeout(10)
    void newRoomMaxChannelsOneStartsARoomOnAnIdleNodeAndNoSecondOne() throws Exception {
        host.close();
        host = host(new ServiceCatalog(), List.of("Conference"), "Conference: { new-room-max-channels: 1 }");
        rest.bridgeLifecycle("conf-4000");
        assertThat(host.acceptingServices()).contains("Conference");

        arrives("Conference", "1795439762.401", "4000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("4000", 1)));
        assertThat(host.acceptingServices()).as("a second room would exceed 1 channel").doesNotContain("Conference");

        arrives("Conference", "1795439762.402", "4001");
        await().atMost(WAIT).until(() -> rest.hangups("1795439762.402", "congestion") == 1);
        arrives("Conference", "1795439762.403", "4000");
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("4000", 2)));
    }

    /** A service with a bug: throws, before or after answering. */
    private static final class Failing implements StasisService {
        private final String name;
        private final boolean answerFirst;

        Failing(String name, boolean answerFirst) {
            this.name = name;
            this.answerFirst = answerFirst;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void onStart(Call call) {
            if (answerFirst) {
                call.answer();
            }
            throw new IllegalStateException("bug in " + name + " (on purpose, in a test)");
        }

        @Override
        public int participants() {
            return 0;
        }

        @Override
        public boolean acceptsNewCalls() {
            return true;
        }
    }

}
