package io.roundhouse.router.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.metrics.ProcessMetrics;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Grafana dashboard in docs/ queries only metrics a running router serves and docs/admin.md documents: a router
 * with live dispatch takes a call that one node bounces and another answers, then every name the dashboard uses must
 * be in its scrape with help text. Its agents' row uses only the agent metrics docs/asterisk.md lists.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrafanaDashboardTest {

    static final Path DASHBOARD = Path.of("..", "docs", "grafana", "roundhouse-router.json");
    static final Path DOCS = Path.of("..", "docs", "admin.md");
    /** The agents' metrics: documented there, and scraped with their help by the agent's own AgentMetricsTest. */
    static final Path AGENT_DOCS = Path.of("..", "docs", "asterisk.md");
    static final String AGENT = "roundhouse_agent_";
    /** Registered by the reload path, which this test does not start; still documented. */
    static final Set<String> ELSEWHERE = Set.of("roundhouse_config_reloads_total",
            "roundhouse_config_reloads_failed_total");
    static final Pattern METRIC = Pattern.compile("\\b((?:roundhouse|sip|jvm|process)_[a-z_]+)");

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    static Set<String> dashboardMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        Set<String> names = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            Matcher m = METRIC.matcher(expr.asText());
            while (m.find()) {
                names.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardQueriesIsServedWithHelpAndDocumented() throws Exception {
        Set<String> all = dashboardMetrics();
        Set<String> names = new TreeSet<>(all);
        names.removeIf(n -> n.startsWith(AGENT));
        Set<String> agentNames = new TreeSet<>(all);
        agentNames.removeAll(names);
        assertThat(names).contains("roundhouse_call_setup_seconds", "roundhouse_node_state",
                "roundhouse_redis_command_seconds");
        assertThat(agentNames).contains("roundhouse_agent_ami_connected", "roundhouse_agent_calls_total",
                "roundhouse_agent_published_state_age_seconds");
        String docs = Files.readString(DOCS);
        for (String name : names) {
            assertThat(docs).as("docs/admin.md documents " + name).contains(name);
        }
        String agentDocs = Files.readString(AGENT_DOCS);
        for (String name : agentNames) {
            assertThat(agentDocs).as("docs/asterisk.md documents " + name).contains("`" + name);
        }

        SipTestAgent bouncer = SipTestAgent.start().uas(UasBehavior.reject(503));
        SipTestAgent answerer = SipTestAgent.start().uas(UasBehavior.answer());
        SipTestAgent caller = SipTestAgent.start();
        RedisState state = redis.open();
        Set<String> apps = Set.of("Default");
        state.nodes().publish(new NodeState("asterisk-1", bouncer.uri(Transport.UDP), NodeStatus.ACTIVE, 0, 100, 5,
                Map.of(), apps, apps, "22.10.1", "test", System.currentTimeMillis()), Duration.ofSeconds(30));
        state.nodes().publish(new NodeState("asterisk-2", answerer.uri(Transport.UDP), NodeStatus.ACTIVE, 50, 100, 50,
                Map.of(), apps, apps, "22.10.1", "test", System.currentTimeMillis()), Duration.ofSeconds(30));
        state.marks().markFull("asterisk-2", "other", Duration.ofSeconds(30));
        RouterConfig cfg = RouterConfig.parse("""
                sip: { listen: [ "udp:127.0.0.1:0" ] }
                services: [ { name: default, app: Default, strategy: least-loaded } ]
                health: { enabled: false }
                dispatch: { refresh-interval: 100ms }
                """);
        PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
        try (AutoCloseable gc = ProcessMetrics.bindTo(registry);
             DispatchSetup dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
             Router router = Router.start(cfg, dispatch.dispatcher(), registry)) {
            new FarmGauges(registry, new LiveFarm(dispatch, System::currentTimeMillis)).watch(dispatch);
            await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 2);
            caller.send(caller.request("INVITE", "sip:5555@example.com").callId("dash-1").build(),
                    new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
            await().atMost(Duration.ofSeconds(10)).until(() -> !caller.all(m -> !m.isRequest()
                    && m.status() == 200).isEmpty());
            // jvm_gc_pause_seconds exists only once a collection has happened; a short run may not have had one.
            System.gc();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                String scrape = registry.scrape();
                for (String name : names) {
                    if (!ELSEWHERE.contains(name)) {
                        assertThat(scrape).as("the router serves " + name).contains("# HELP " + name + " ");
                    }
                }
            });
        } finally {
            caller.close();
            bouncer.close();
            answerer.close();
        }
    }
}
