package io.roundhouse.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Dialog;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The public API other components use: bound addresses, OPTIONS probing, counters; and IPv6 listen addresses. */
class RouterApiTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Test
    void udpAndTcpOfOneHostShareTheChosenFreePort() {
        try (SipTestAgent node = SipTestAgent.start(); Router router = Router.start(TestRouters.config(node))) {
            List<InetSocketAddress> bound = router.boundAddresses();
            assertThat(bound).hasSize(2);
            assertThat(bound.get(0).getPort()).isEqualTo(router.port()).isEqualTo(bound.get(1).getPort())
                    .isPositive();
            router.close(); // closing twice (here and by try-with-resources) is harmless
        }
    }

    @Test
    void countersAndTheTransactionGaugeAreRegistered() throws Exception {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (SipTestAgent caller = SipTestAgent.start(); SipTestAgent node = SipTestAgent.start();
             Router router = Router.start(TestRouters.config(node),
                     new io.roundhouse.router.dispatch.StaticRoundRobinDispatcher(List.of()), registry)) {
            caller.send(caller.request("INVITE", "sip:1@127.0.0.1:" + router.port()).maxForwards("0").build(),
                    new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
            assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(483);
            await().atMost(WAIT).until(() -> registry.get("sip.messages.in").counter().count() == 1);
            assertThat(registry.get("sip.messages.out").counter().count()).isEqualTo(1);
            assertThat(registry.get("sip.responses.local").tag("class", "4xx").counter().count()).isEqualTo(1);
            assertThat(registry.get("sip.transactions.live").gauge().value()).isEqualTo(1);
            assertThat(registry.get("sip.messages.dropped").counter().count()).isZero();
        }
    }

    @Test
    void sendOptionsCompletesWithTheFinalStatusOr408OnTimerF() throws Exception {
        try (SipTestAgent up = SipTestAgent.start().uas(UasBehavior.answer());
             SipTestAgent silent = SipTestAgent.start().uas(UasBehavior.silent());
             Router router = Router.start(TestRouters.config(up))) {
            assertThat(router.sendOptions(up.uri(Transport.UDP)).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(200);
            Received probe = up.awaitRequest("OPTIONS", WAIT);
            assertThat(probe.header("Max-Forwards")).isEqualTo("70");
            assertThat(router.sendOptions(up.uri(Transport.TCP)).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(200);
            // T1 = 50 ms in tests: Timer F = 64*T1 = 3.2 s.
            assertThat(router.sendOptions(silent.uri(Transport.UDP)).toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo(408);
            assertThat(silent.all(r -> r.method().equals("OPTIONS")).size()).isGreaterThan(1); // retransmitted
            SipTestAgent gone = SipTestAgent.start();
            String goneUri = gone.uri(Transport.TCP);
            gone.close();
            assertThat(router.sendOptions(goneUri).toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isEqualTo(408); // connection refused: a transport error, reported at once as a miss
            await().atMost(Duration.ofSeconds(10)).until(() -> router.transactionCount() == 0);
        }
    }

    @Test
    void aCallOverIpv6LoopbackCompletes() {
        try (SipTestAgent caller = SipTestAgent.start("::1");
             SipTestAgent node = SipTestAgent.start("::1").uas(UasBehavior.answer())) {
            RouterConfig config = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:[::1]:0", "tcp:[::1]:0" ]
                      timers: { t1: 50ms, timer-d: 1s }
                    nodes:
                      - { id: v6, uri: "sip:[::1]:%d" }
                    """.formatted(node.port()));
            try (Router router = Router.start(config)) {
                InetSocketAddress to = new InetSocketAddress("::1", router.port());
                RequestBuilder invite = caller.request("INVITE", "sip:1000@[::1]:" + router.port()).fromTag("v6");
                caller.send(invite.build(), to, Transport.UDP);
                Received atNode = node.awaitRequest("INVITE", WAIT);
                assertThat(atNode.header("Via")).startsWith("SIP/2.0/UDP [::1]:" + router.port());
                assertThat(TestRouters.unsigned(atNode.header("Record-Route"))).isEqualTo("<sip:[::1]:" + router.port() + ";lr>");
                Received ok = caller.awaitResponse(200, WAIT);
                Dialog dialog = new Dialog(caller, ok, "v6", Transport.UDP);
                dialog.send("ACK", 1);
                node.awaitRequest("ACK", WAIT);
                dialog.send("BYE", 2);
                node.awaitRequest("BYE", WAIT);
                assertThat(caller.await(r -> r.status() == 200 && r.cseqMethod().equals("BYE"), WAIT)).isNotNull();
                assertThat(router.internalErrors()).isZero();
            }
        }
    }
}
