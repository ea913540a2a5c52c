package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Timer C (RFC 3261 §16.8) is restarted by 101-199 provisionals only (§16.7 item 2): a node that keeps sending
 * 100 Trying after ringing is still cancelled when Timer C runs out.
 */
class OnlyRealProvisionalsRestartTimerCTest {

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
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
        // An in-dialog re-INVITE through our Record-Route: no dispatcher, so only Timer C can end the ringing.
        caller.send(caller.request("INVITE", node.uri(Transport.UDP)).to("<sip:bob@" + node.hostPort() + ">;tag=b")
                .route("<sip:" + me + ";lr>").build(), to, Transport.UDP);
        Received invite = node.awaitRequest("INVITE", Duration.ofSeconds(5));
        long start = System.nanoTime();
        // 100 Trying every 200 ms for 2.4 s: were Timer C restarted by them, no CANCEL would come before ~3.4 s.
        Received cancel = null;
        while (cancel == null && System.nanoTime() - start < Duration.ofMillis(2400).toNanos()) {
            node.send(node.response(invite.text(), 100, null), to, Transport.UDP);
            cancel = node.all(r -> r.isRequest() && r.method().equals("CANCEL")).stream().findFirst().orElse(null);
            Thread.sleep(200);
        }
        assertThat(cancel).as("CANCEL within 2.4 s of ringing, Timer C being 1 s").isNotNull();
    }
}
