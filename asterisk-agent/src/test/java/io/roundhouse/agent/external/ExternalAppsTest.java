package io.roundhouse.agent.external;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.agent.ari.AriRest;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.fakes.ari.AriEventFrames;
import io.roundhouse.agent.fakes.ari.FakeAriRest;
import io.roundhouse.agent.fakes.ari.FakeAsterisk;
import io.roundhouse.agent.services.ServiceHost;
import io.roundhouse.agent.services.ServicesSettings;
import io.roundhouse.agent.state.SettableLoad;
import io.roundhouse.shared.testing.TestRedis;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operators' own Stasis applications end to end on the fake Asterisk (whose {@code GET /applications} lists the apps
 * whose WebSocket is connected, on the captured bodies): a tiny ARI app connects, the node advertises it while it is
 * connected and under its thresholds, the app answers its own calls, and the allow-list keeps other apps out.
 */
@Timeout(20)
class ExternalAppsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private final FakeAsterisk asterisk = new FakeAsterisk();
    private final SettableLoad load = new SettableLoad();
    private ServiceHost host;

    @BeforeEach
    void start() throws Exception {
        AriSettings ari = new AriSettings(asterisk.url(), FakeAriRest.USER, FakeAriRest.PASSWORD, List.of("Echo"),
                Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1), List.of("ivr", "queue"),
                Duration.ofMillis(50));
        ServicesSettings services = ServicesSettings.parse(new ObjectMapper(new YAMLFactory())
                .readTree("ivr: { max-channels: 2, max-participants-per-node: 1 }"));
        host = new ServiceHost(ari, services, load, redis.open().placements(), "asterisk-1", () -> { });
        host.start();
        await().atMost(WAIT).until(() -> host.registeredApps().contains("Echo"));
    }

    @AfterEach
    void stop() {
        host.close();
        asterisk.close();
    }

    private TinyAriApp connect(String app) throws Exception {
        return new TinyAriApp(asterisk.url(), FakeAriRest.USER, FakeAriRest.PASSWORD, app);
    }

    @Test
    void anAllowedAppIsAdvertisedWhileItsWebSocketIsConnectedAndAnswersItsOwnCalls() throws Exception {
        assertThat(host.registeredApps()).doesNotContain("ivr");
        try (TinyAriApp ivr = connect("ivr")) {
            await().atMost(WAIT).until(() -> host.registeredApps().contains("ivr"));
            assertThat(host.acceptingServices()).contains("ivr", "Echo").doesNotContain("queue");

            asterisk.send(AriEventFrames.stasisStart("ivr", "1795439762.901", "menu"));
            await().atMost(WAIT).until(() -> asterisk.rest().answers("1795439762.901") == 1);
            assertThat(asterisk.rest().hangups("1795439762.901")).as("the agent leaves its calls alone").isZero();
        }
        await().atMost(WAIT).until(() -> !host.registeredApps().contains("ivr"));
        assertThat(host.acceptingServices()).doesNotContain("ivr");
    }

    @Test
    void anAppOutsideTheAllowListIsNeverAdvertised() throws Exception {
        try (TinyAriApp rogue = connect("rogue"); TinyAriApp queue = connect("queue")) {
            await().atMost(WAIT).until(() -> host.registeredApps().contains("queue"));
            assertThat(host.registeredApps()).doesNotContain("rogue");
        }
    }

    @Test
    void anExternalAppIsAcceptingOnlyUnderItsOwnThresholds() throws Exception {
        try (TinyAriApp ivr = connect("ivr")) {
            await().atMost(WAIT).until(() -> host.acceptingServices().contains("ivr"));

            load.channels = 2; // ivr: max-channels 2
            assertThat(host.registeredApps()).contains("ivr");
            assertThat(host.acceptingServices()).doesNotContain("ivr");

            load.channels = 0;
            assertThat(host.acceptingServices()).contains("ivr");
            asterisk.rest().registeredApplications(java.util.Map.of("ivr", List.of("1795439762.902"), "Echo", List.of()));
            await("ivr owns a channel: max-participants-per-node 1").atMost(WAIT)
                    .until(() -> !host.acceptingServices().contains("ivr"));
        }
    }

    @Test
    void theCapturedListingOfASubscribeAllAppCountsNoTopicAsAChannel() {
        try (FakeAriRest rest = new FakeAriRest(); AriRest ari = new AriRest(new AriSettings(URI.create(rest.url()),
                FakeAriRest.USER, FakeAriRest.PASSWORD, List.of("Conference"), Duration.ofMillis(50),
                Duration.ofMillis(400), Duration.ofSeconds(1)))) {
            // ari-get-applications-connected: Conference, and Observer subscribed to __AST_CHANNEL_ALL_TOPIC etc.
            assertThat(ari.registeredApps()).containsExactly(new AriRest.RegisteredApp("Conference", 0),
                    new AriRest.RegisteredApp("Observer", 0));
        }
    }

    @Test
    void onlyExternalAppsNeedNoWebSocketOfTheAgentsOwn() throws Exception {
        host.close();
        AriSettings ari = new AriSettings(asterisk.url(), FakeAriRest.USER, FakeAriRest.PASSWORD, List.of(),
                Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1), List.of("ivr"),
                Duration.ofMillis(50));
        host = new ServiceHost(ari, ServicesSettings.parse(null), load, redis.open().placements(), "asterisk-1",
                () -> { });
        host.start();
        try (TinyAriApp ivr = connect("ivr")) {
            await().atMost(WAIT).until(() -> host.registeredApps().equals(Set.of("ivr")));
        }
    }
}
