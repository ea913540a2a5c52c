package io.roundhouse.agent.ami;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.agent.config.AmiSettings;
import io.roundhouse.agent.fakes.ami.AmiScenario;
import io.roundhouse.agent.fakes.ami.AsteriskFixtures;
import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AmiLinkTest {

    private static final String TWO_CALLS = "ami-events-confbridge-2calls.txt";

    private FakeAmiServer fake;
    private AmiLink link;
    private final AtomicInteger changes = new AtomicInteger();
    private final AsteriskMirror mirror = new AsteriskMirror(changes::incrementAndGet);

    @BeforeEach
    void startFake() throws Exception {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
    }

    @AfterEach
    void stop() throws Exception {
        if (link != null) {
            link.close();
        }
        fake.close();
    }

    private AmiLink connect(String secret, Duration resync) {
        AmiSettings settings = new AmiSettings("127.0.0.1", fake.port(), "roundhouse", secret, resync,
                Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(400));
        link = new AmiLink(settings, mirror, new SimpleMeterRegistry());
        link.start();
        return link;
    }

    /** Events of the captured two-caller session up to (not including) the first caller's hang-up request. */
    private static List<String> twoCallersJoin() {
        List<String> events = AsteriskFixtures.sessionEvents(TWO_CALLS);
        int firstHangup = indexOfFirst(events, "Event: HangupRequest");
        return events.subList(0, firstHangup);
    }

    private static List<String> twoCallersLeave() {
        List<String> events = AsteriskFixtures.sessionEvents(TWO_CALLS);
        return events.subList(indexOfFirst(events, "Event: HangupRequest"), events.size());
    }

    private static int indexOfFirst(List<String> events, String prefix) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError(prefix + " not in " + TWO_CALLS);
    }

    @Test
    void snapshotCountsChannelsFromCoreShowChannelsAndRoomsFromConfbridgeLists() {
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        connect("s3cret", Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);
        // CoreStatus would say 4 here (it counts ConfBridge's announcer pair); CoreShowChannels lists the 2 callers.
        assertThat(mirror.channels()).isEqualTo(2);
        assertThat(mirror.rooms()).isEqualTo(Map.of("1000", 2));
        assertThat(mirror.version()).isEqualTo("22.10.1");
        assertThat(fake.received("CoreStatus")).isZero();
    }

    @Test
    void noActiveConferencesMeansZeroRooms() {
        connect("s3cret", Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);
        assertThat(fake.received("ConfbridgeListRooms")).isEqualTo(1);
        assertThat(mirror.channels()).isZero();
        assertThat(mirror.rooms()).isEmpty();
    }

    @Test
    void capturedEventsKeepTheStateCurrentWithinASecond() {
        connect("s3cret", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);

        fake.inject(twoCallersJoin());
        await().atMost(Duration.ofSeconds(1)).until(() -> mirror.channels() == 2
                && mirror.rooms().equals(Map.of("1000", 2)));

        fake.inject(twoCallersLeave());
        await().atMost(Duration.ofSeconds(1)).until(() -> mirror.channels() == 0 && mirror.rooms().isEmpty());
        assertThat(link.corrections()).isZero();
    }

    @Test
    void droppedConnectionIsReconnectedAndResynchronized() {
        connect("s3cret", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);
        assertThat(mirror.channels()).isZero();

        // While the link is down the calls arrive: only the next snapshot can tell.
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        fake.dropConnections();

        await().atMost(Duration.ofSeconds(5)).until(() -> fake.logins() == 2 && mirror.reachable());
        assertThat(mirror.channels()).isEqualTo(2);
        assertThat(mirror.rooms()).isEqualTo(Map.of("1000", 2));
    }

    @Test
    void asteriskDownMakesTheNodeUnreachableUntilItIsBack() throws Exception {
        connect("s3cret", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);

        fake.suspend();
        await().atMost(Duration.ofSeconds(1)).until(() -> !mirror.reachable());
        await().atMost(Duration.ofSeconds(5)).until(() -> link.failures() >= 4); // refused reconnects, backing off
        assertThat(mirror.reachable()).isFalse();
        assertThat(fake.logins()).isEqualTo(1);

        fake.resume();
        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);
        assertThat(fake.logins()).isEqualTo(2);
    }

    @Test
    void periodicResyncCorrectsDriftAndCountsIt() {
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        connect("s3cret", Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(5)).until(() -> mirror.reachable() && mirror.channels() == 2);

        // The calls ended but their events were lost: the next resync must notice.
        fake.scenario(AmiScenario.IDLE);
        await().atMost(Duration.ofSeconds(3)).until(() -> mirror.channels() == 0 && mirror.rooms().isEmpty());
        assertThat(link.corrections()).isEqualTo(1.0);
        await().atMost(Duration.ofSeconds(2)).until(() -> fake.received("CoreShowChannels") >= 4);
        assertThat(link.corrections()).as("resyncs without drift count nothing").isEqualTo(1.0);
    }

    @Test
    void wrongSecretIsRetriedAndNeverReachable() throws Exception {
        connect("wrong", Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(6)).until(() -> fake.received("Login") >= 2);
        assertThat(fake.logins()).isZero();
        assertThat(mirror.reachable()).isFalse();
    }

    @Test
    void permissionDeniedForRoomsKeepsChannelsAndFollowsRoomsFromEvents() {
        fake.denyRooms(true);
        fake.scenario(AmiScenario.TWO_CALLERS_IN_ROOM_1000);
        connect("s3cret", Duration.ofSeconds(30));

        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);
        assertThat(mirror.channels()).isEqualTo(2);
        assertThat(mirror.rooms()).isEmpty();

        fake.inject(twoCallersLeave());
        await().atMost(Duration.ofSeconds(1)).until(() -> mirror.channels() == 0);
    }

    @Test
    void shutdownEventMarksAsteriskUnreachableAtOnce() {
        connect("s3cret", Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);

        fake.inject(AsteriskFixtures.blocks("ami-shutdown-events-session.txt"));
        await().atMost(Duration.ofSeconds(1)).until(() -> !mirror.reachable());
    }
}
