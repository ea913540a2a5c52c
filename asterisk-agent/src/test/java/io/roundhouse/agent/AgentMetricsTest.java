package io.roundhouse.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import io.roundhouse.agent.fakes.ari.AriEventFrames;
import io.roundhouse.agent.fakes.ari.FakeAriRest;
import io.roundhouse.agent.fakes.ari.FakeAsterisk;
import io.roundhouse.agent.services.ServiceCatalog;
import io.roundhouse.agent.services.ServiceHost;
import io.roundhouse.agent.services.ServicesSettings;
import io.roundhouse.agent.state.SettableLoad;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The agent's metrics as Prometheus scrapes them: base units, _total counters, help text, NaN for unknown. */
@Timeout(30)
class AgentMetricsTest {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Test
    void connectionStateResyncsAndPublishedStateAgeAreScrapedWithTheirHelp() throws Exception {
        PrometheusMeterRegistry meters = MetricsEndpoint.newRegistry();
        try (FakeAmiServer ami = FakeAmiServer.start("roundhouse", "s3cret")) {
            RedisState state = redis.open();
            Agent agent = new Agent(AgentFixture.config(ami.port(), redis.settings(), Duration.ofSeconds(5)),
                    Agent.Contract.of(state), meters, IdleProc.start(), Clock.systemUTC());
            try {
                agent.start();
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.publisher().lastWritten().isPresent()
                        && meters.scrape().contains("roundhouse_agent_ami_connected 1.0"));
                String scrape = meters.scrape();
                assertThat(scrape).contains("# HELP roundhouse_agent_ami_connected 1 while the agent is logged in")
                        .contains("roundhouse_agent_channels 0.0")
                        .contains("# TYPE roundhouse_agent_ami_resync_corrections_total counter")
                        .contains("# TYPE roundhouse_agent_ami_connection_failures_total counter")
                        .contains("# HELP roundhouse_agent_published_state_age_seconds Age of the node state")
                        .contains("roundhouse_agent_cpu_host_ratio");

                ami.suspend();
                await().atMost(Duration.ofSeconds(5)).until(() -> meters.scrape()
                        .contains("roundhouse_agent_ami_connected 0.0"));
                assertThat(meters.scrape()).as("unknown, not the last count").contains("roundhouse_agent_channels NaN");
            } finally {
                agent.close();
            }
        }
    }

    @Test
    void callsAreCountedByServiceAndOutcome() throws Exception {
        PrometheusMeterRegistry meters = MetricsEndpoint.newRegistry();
        try (FakeAsterisk asterisk = new FakeAsterisk()) {
            AriSettings ari = new AriSettings(asterisk.url(), FakeAriRest.USER, FakeAriRest.PASSWORD, List.of("Echo"),
                    Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(1));
            ServiceHost host = new ServiceHost(ari, ServicesSettings.parse(new ObjectMapper(new YAMLFactory())
                    .readTree("Echo: { max-participants-per-node: 1 }")), new SettableLoad(), redis.open().placements(),
                    "asterisk-1", () -> { }, new ServiceCatalog(), meters);
            try {
                host.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> host.registeredApps().contains("Echo"));
                asterisk.send(AriEventFrames.stasisStart("Echo", "1795439762.701", ""));
                await().atMost(Duration.ofSeconds(5)).until(() -> asterisk.rest().answers("1795439762.701") == 1);
                asterisk.send(AriEventFrames.stasisStart("Echo", "1795439762.702", ""));
                await().atMost(Duration.ofSeconds(5)).until(() -> meters.scrape()
                        .contains("roundhouse_agent_calls_total{outcome=\"bounced\",service=\"Echo\"} 1.0"));

                assertThat(meters.scrape())
                        .contains("roundhouse_agent_calls_total{outcome=\"admitted\",service=\"Echo\"} 1.0")
                        .contains("roundhouse_agent_ari_connected 1.0")
                        .contains("# TYPE roundhouse_agent_ari_connection_losses_total counter");
            } finally {
                host.close();
            }
        }
    }
}
