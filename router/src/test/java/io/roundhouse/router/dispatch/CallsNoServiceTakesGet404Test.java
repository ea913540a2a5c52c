package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.setup.DispatchSetup;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.testing.TestRedis;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A call that no service takes is answered 404 without Retry-After (a 503 would make an upstream proxy avoid the whole
 * router), while a call of a service with no node left still gets 503; every initial INVITE's setup time is measured
 * by service and outcome.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallsNoServiceTakesGet404Test {

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    final SipTestAgent caller = SipTestAgent.start();
    final SipTestAgent node = SipTestAgent.start().uas(UasBehavior.answer());
    final PrometheusMeterRegistry registry = MetricsEndpoint.newRegistry();
    DispatchSetup dispatch;
    Router router;

    @BeforeEach
    void publishNode() {
        Set<String> apps = Set.of("Conference", "Queue");
        redis.open().nodes().publish(new NodeState("asterisk-1", node.uri(Transport.UDP), NodeStatus.ACTIVE, 0, 100, 0,
                Map.of(), apps, Set.of("conference"), "22.10.1", "test", System.currentTimeMillis()),
                Duration.ofSeconds(30));
        startRouter("sip: { listen: [ \"udp:127.0.0.1:0\" ] }\n");
    }

    void startRouter(String sip) {
        if (router != null) {
            router.close();
            dispatch.close();
        }
        RouterConfig cfg = RouterConfig.parse(sip + """
                services:
                  - { name: conference, match: { ruri-user: "^conf-[0-9]+$" }, app: Conference }
                  - { name: queue, match: { ruri-user: "^2[0-9]{3}$" }, app: Queue }
                health: { enabled: false }
                dispatch: { refresh-interval: 100ms }
                """);
        dispatch = DispatchSetup.start(cfg, registry, null, redis.settings());
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatch.view().current().nodes().size() == 1);
        router = Router.start(cfg, dispatch.dispatcher(), registry);
    }

    @AfterEach
    void stop() {
        router.close();
        dispatch.close();
        node.close();
        caller.close();
    }

    Received call(String user, String callId) {
        caller.send(caller.request("INVITE", "sip:" + user + "@example.com").callId(callId).build(),
                new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
        await().atMost(Duration.ofSeconds(10)).until(() -> !finals(callId).isEmpty());
        return finals(callId).get(0);
    }

    List<Received> finals(String callId) {
        return caller.all(m -> !m.isRequest() && m.status() >= 200 && m.text().contains(callId));
    }

    @Test
    void aNumberNoServiceTakesIsNotFoundWithoutRetryAfter() {
        Received r = call("999", "nosvc-1");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers("Retry-After")).isEmpty();
        assertThat(r.headers("Warning")).anyMatch(w -> w.contains("no service matches this request"));
        assertThat(node.all(m -> m.method().equals("INVITE"))).isEmpty();
    }

    @Test
    void aServiceWithoutAnyNodeLeftIsStillServiceUnavailableWithRetryAfter() {
        Received r = call("2001", "queue-1"); // the node does not accept queue calls
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers("Retry-After")).containsExactly("5");
    }

    @Test
    void setupTimeIsAHistogramByServiceAndOutcome() {
        assertThat(call("conf-1", "conf-1").status()).isEqualTo(200);
        call("999", "nosvc-2");
        String text = registry.scrape();
        assertThat(text).contains("# HELP roundhouse_call_setup_seconds ")
                .contains("roundhouse_call_setup_seconds_count{outcome=\"2xx\",service=\"conference\"} 1")
                .contains("roundhouse_call_setup_seconds_count{outcome=\"4xx\",service=\"-\"} 1")
                .contains("roundhouse_call_setup_seconds_bucket{outcome=\"2xx\",service=\"conference\",le=\"10.0\"}");
    }

    @Test
    void theAnswerToNoServiceIsConfigurable() {
        startRouter("sip: { listen: [ \"udp:127.0.0.1:0\" ], no-service-status: 480 }\n");
        Received r = call("999", "nosvc-480");
        assertThat(r.status()).isEqualTo(480);
        assertThat(r.text()).startsWith("SIP/2.0 480 Temporarily Unavailable\r\n");
    }

    @Test
    void retryAfterCanBeTurnedOff() {
        startRouter("sip: { listen: [ \"udp:127.0.0.1:0\" ], retry-after: 0s }\n");
        Received r = call("2001", "queue-off");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers("Retry-After")).isEmpty();
    }
}
