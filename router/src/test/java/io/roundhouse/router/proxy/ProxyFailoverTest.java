package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Serial failover within one server transaction: 5xx or silence from a node makes the router try the next one. */
class ProxyFailoverTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(2);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent first = farm.first();
    private final SipTestAgent second = farm.second().uas(UasBehavior.answer());

    private Received call() {
        farm.invite();
        return caller.awaitFinal(WAIT);
    }

    @Test
    void a503FromTheFirstNodeIsRetriedOnTheNextAndTheCallerSeesOnlyThe200() {
        first.uas(UasBehavior.reject(503));
        farm.startFailingOverAfter(Duration.ofSeconds(1));
        Received result = call();
        assertThat(result.status()).isEqualTo(200);
        assertThat(first.all(r -> r.method().equals("INVITE"))).hasSize(1);
        // The 503 was acknowledged hop by hop by the router (§17.1.1.3) and never reached the caller.
        first.awaitRequest("ACK", WAIT);
        assertThat(caller.all(r -> r.status() == 503)).isEmpty();
        assertThat(second.all(r -> r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void a6xxFromANodeIsTheCallersAnswerAndNoOtherNodeIsTried() {
        // §16.7 item 5: a 6xx (here 603 Decline) is the callee's answer for every location; no new branch after it.
        first.uas(UasBehavior.reject(603));
        farm.startFailingOverAfter(Duration.ofSeconds(1));
        assertThat(call().status()).isEqualTo(603);
        first.awaitRequest("ACK", WAIT);
        assertThat(second.all(r -> r.method().equals("INVITE"))).isEmpty();
    }

    @Test
    void aSilentNodeIsAbandonedAfterTheFailoverTimeoutAndTheNextNodeAnswers() {
        first.uas(UasBehavior.silent());
        farm.startFailingOverAfter(Duration.ofMillis(300));
        long start = System.nanoTime();
        Received result = call();
        assertThat(result.status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(first.all(r -> r.method().equals("INVITE"))).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> farm.router().transactionCount() == 0);
    }

    @Test
    void aTcpNodeThatRefusesTheConnectionIsSkippedAtOnce() {
        SipTestAgent gone = SipTestAgent.start();
        String goneUri = gone.uri(Transport.TCP);
        gone.close(); // nothing listens there any more: the connection is refused (§17.1.4 transport error)
        farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "tcp:127.0.0.1:0" ]
                  timers: { t1: 50ms, timer-d: 1s, failover-timeout: 5s }
                nodes:
                  - { id: gone, uri: "%s" }
                  - { id: up, uri: "%s" }
                """.formatted(goneUri, second.uri(Transport.UDP))));
        long start = System.nanoTime();
        assertThat(call().status()).isEqualTo(200);
        // Well before the 5 s failover timeout: the refusal itself moved the call on.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aLate200FromAnAbandonedNodeStillReachesTheCallerAndTheRingingNodeIsCancelled() {
        first.uas(UasBehavior.silent());
        second.uas(UasBehavior.ringForever());
        farm.startFailingOverAfter(Duration.ofMillis(300));
        farm.invite();
        Received abandoned = first.awaitRequest("INVITE", WAIT);
        second.awaitRequest("INVITE", WAIT);
        caller.awaitResponse(180, WAIT);
        // The first node wakes up and answers after all (§16.7 item 5: every 2xx goes upstream).
        first.send(first.response(abandoned.text(), 200, "late"), abandoned.source(), Transport.UDP);
        Received ok = caller.awaitResponse(200, WAIT);
        assertThat(ok.header("To")).contains("tag=late");
        // §16.7 item 10: the branch still ringing is cancelled.
        second.awaitRequest("CANCEL", WAIT);
    }

    @Test
    void whenEveryNodeFailsTheCallerGetsTheBestResponse() {
        first.uas(UasBehavior.reject(503));
        second.uas(UasBehavior.reject(500));
        farm.startFailingOverAfter(Duration.ofSeconds(1));
        assertThat(call().status()).isEqualTo(500);
    }

    @Test
    void whenNoNodeIsConfiguredTheCallerGets503() {
        farm.start(TestRouters.config(List.of(), Transport.UDP, 1000));
        Received result = call();
        assertThat(result.status()).isEqualTo(503);
        assertThat(result.header("Warning")).contains("no node available");
    }

    @Test
    void a486IsNotRetriedAndGoesBackUnchanged() {
        first.uas(UasBehavior.reject(486));
        farm.startFailingOverAfter(Duration.ofSeconds(1));
        assertThat(call().status()).isEqualTo(486);
        assertThat(second.received()).isEmpty();
    }
}
