package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Timer C (RFC 3261 §16.8) is restarted by 101-199 provisionals only (§16.7 item 2): a node that keeps sending
 * 100 Trying after ringing is still cancelled when Timer C runs out. Timer C runs on the farm's manual clock.
 */
class OnlyRealProvisionalsRestartTimerCTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Predicate<Received> CANCEL = r -> r.isRequest() && r.method().equals("CANCEL");

    @RegisterExtension
    final Farm farm = Farm.withNodes(1).timersOnManualClock();
    private final SipTestAgent caller = farm.caller();
    // Rings once, then answers nothing by itself (the test sends the 100s).
    private final SipTestAgent node = farm.node().uas(new UasBehavior(List.of(180), false));

    @Test
    void repeated100TryingDoesNotKeepARingingBranchAlive() throws Exception {
        farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  timers: { t1: 50ms, timer-c: 1s, failover-timeout: 5s }
                nodes: [ { id: n, uri: "%s" } ]
                """.formatted(node.uri(Transport.UDP))));
        String me = "127.0.0.1:" + farm.router().port();
        InetSocketAddress to = farm.routerAddress();
        Counter in = farm.registry().get("sip.messages.in").counter();
        // An in-dialog re-INVITE through our Record-Route: no dispatcher, so only Timer C can end the ringing.
        caller.send(caller.request("INVITE", node.uri(Transport.UDP)).to("<sip:bob@" + node.hostPort() + ">;tag=b")
                .route("<sip:" + me + ";lr>").build(), to, Transport.UDP);
        Received invite = node.awaitRequest("INVITE", WAIT);
        caller.awaitResponse(180, WAIT); // the router has the 180: Timer C runs from here on its clock
        // 100 Trying every 200 ms for 2.4 s of the router's time: were Timer C restarted by them, no CANCEL would come
        // before ~3.4 s. Each 100 is taken in by the router (counted on its event loop) before its clock moves on.
        Received cancel = null;
        for (long elapsed = 0; cancel == null && elapsed < 2400; elapsed += 200) {
            double before = in.count();
            node.send(node.response(invite.text(), 100, null), to, Transport.UDP);
            await().atMost(WAIT).until(() -> in.count() > before);
            farm.advance(Duration.ofMillis(200));
            cancel = node.all(CANCEL).stream().findFirst().orElse(null);
        }
        if (cancel == null) { // one sent at the last move of the clock may still be on its way
            cancel = node.await(CANCEL, WAIT);
        }
        assertThat(cancel).as("CANCEL within 2.4 s of ringing, Timer C being 1 s").isNotNull();
    }
}
