package io.roundhouse.agent.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.fakes.ari.AriEventFrames;
import io.roundhouse.agent.fakes.ari.FakeAriRest;
import io.roundhouse.agent.fakes.ari.FakeAsterisk;
import io.roundhouse.agent.state.SettableLoad;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reclaim rule of Conference placements: a placement pointing at this node for a room hosted nowhere on it is
 * released after being orphaned for {@code reclaim-after}; a live room (in the registry or still mixing in Asterisk)
 * never loses its placement. Real Redis, the fake Asterisk on the captured ARI bodies.
 */
@Timeout(20)
class PlacementReclaimTest {

    private static final String NODE = "asterisk-1";
    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private final FakeAsterisk asterisk = new FakeAsterisk();
    private final FakeAriRest rest = asterisk.rest();
    private final SettableLoad load = new SettableLoad();
    private Placements placements;
    private ServiceHost host;

    @BeforeEach
    void start() throws Exception {
        placements = redis.open().placements();
        AriSettings ari = new AriSettings(asterisk.url(), FakeAriRest.USER, FakeAriRest.PASSWORD, List.of("Conference"),
                Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1));
        ServicesSettings services = ServicesSettings.parse(new ObjectMapper(new YAMLFactory())
                .readTree("Conference: { reclaim-after: 0s }")); // the timing rule: RoomPlacementsTest
        host = new ServiceHost(ari, services, load, placements, NODE, () -> { }, new ServiceCatalog());
        host.start();
        await().atMost(WAIT).until(() -> host.registeredApps().size() == 1);
    }

    @AfterEach
    void stop() {
        host.close();
        asterisk.close();
    }

    @Test
    void aPlacementLeftByARestartedAsteriskIsReclaimed() {
        placements.claim("example.com:1000", NODE); // its room died with the Asterisk that hosted it

        host.maintain();

        assertThat(placements.lookup("example.com:1000")).isEmpty();
    }

    @Test
    void aRoomStillMixingInAsteriskKeepsItsPlacementThoughThisAgentRunNeverSawIt() {
        placements.claim("example.com:1000", NODE);
        placements.claim("2000", NODE);
        rest.liveBridges(List.of("conf-example.com_3A1000", "conf-2000")); // left by the agent's previous run

        host.maintain();

        assertThat(placements.lookup("example.com:1000")).contains(NODE);
        assertThat(placements.lookup("2000")).contains(NODE);
    }

    @Test
    void aHostedRoomAndAnotherNodesPlacementAreLeftAlone() throws Exception {
        rest.bridgeLifecycle("conf-3000");
        asterisk.send(AriEventFrames.stasisStart("Conference", "1795439762.301", "3000"));
        await().atMost(WAIT).until(() -> host.rooms().equals(Map.of("3000", 1)));
        placements.claim("4000", "asterisk-2");

        host.maintain();

        assertThat(placements.lookup("3000")).contains(NODE);
        assertThat(placements.lookup("4000")).contains("asterisk-2");
    }

    @Test
    void noSweepWhileAsteriskIsUnreachableOrRunsConfBridgeRooms() {
        placements.claim("5000", NODE);

        load.reachable = false;
        host.maintain();
        assertThat(placements.lookup("5000")).as("AMI down: the agent cannot tell").contains(NODE);

        load.reachable = true;
        load.confBridgeRooms = true;
        host.maintain();
        assertThat(placements.lookup("5000")).as("a dialplan ConfBridge room may hold it").contains(NODE);
    }
}
