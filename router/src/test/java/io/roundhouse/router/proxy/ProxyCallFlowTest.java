package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.Dialog;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A whole call through the router: INVITE, provisional and final responses, ACK and BYE by the route set. */
class ProxyCallFlowTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @Test
    void inviteIsForwardedWithViaRecordRouteAndDecrementedMaxForwardsAndTheCallCompletes() {
        Router router = farm.start();
        RequestBuilder invite = caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).body("v=0\r\n");
        caller.send(invite.build(), farm.routerAddress(), Transport.UDP);

        assertThat(caller.awaitResponse(100, WAIT).header("Via")).contains("received=127.0.0.1")
                .contains("rport=" + caller.port());
        Received forwarded = node.awaitRequest("INVITE", WAIT);
        List<String> vias = forwarded.headers("Via");
        assertThat(vias).hasSize(2);
        assertThat(vias.get(0)).startsWith("SIP/2.0/UDP 127.0.0.1:" + router.port() + ";branch=z9hG4bK");
        assertThat(vias.get(1)).contains("branch=" + invite.branch()).contains("rport=" + caller.port())
                .contains("received=127.0.0.1");
        assertThat(forwarded.header("Record-Route")).matches("<sip:127\\.0\\.0\\.1:" + router.port()
                + ";lr;rh=[\\w-]{16}\\.[\\w-]{16}>");
        assertThat(TestRouters.unsigned(forwarded.header("Record-Route"))).isEqualTo("<sip:127.0.0.1:" + router.port() + ";lr>");
        assertThat(forwarded.header("Max-Forwards")).isEqualTo("69");
        assertThat(forwarded.body()).isEqualTo("v=0\r\n");
        assertThat(forwarded.requestUri()).isEqualTo("sip:1000@127.0.0.1:" + router.port());

        assertThat(caller.awaitResponse(180, WAIT).headers("Via")).hasSize(1);
        Received ok = caller.awaitResponse(200, WAIT);
        assertThat(ok.headers("Via")).hasSize(1);
        Dialog dialog = new Dialog(caller, ok, invite.build().lines().filter(l -> l.startsWith("From:")).findFirst()
                .orElseThrow().replaceAll(".*tag=", ""), Transport.UDP);
        assertThat(dialog.nextHop()).isEqualTo(farm.routerAddress());

        dialog.send("ACK", 1);
        Received ack = node.awaitRequest("ACK", WAIT);
        assertThat(ack.requestUri()).isEqualTo("sip:uas@" + node.hostPort());
        assertThat(ack.headers("Route")).isEmpty();

        dialog.send("BYE", 2);
        Received bye = node.awaitRequest("BYE", WAIT);
        assertThat(bye.headers("Via")).hasSize(2);
        assertThat(caller.await(r -> r.status() == 200 && r.cseqMethod().equals("BYE"), WAIT)).isNotNull();

        await().atMost(Duration.ofSeconds(10)).until(() -> router.transactionCount() == 0);
    }

    @Test
    void optionsToTheRouterItselfIsAnsweredWith200AndAllow() {
        Router router = farm.start();
        caller.send(caller.request("OPTIONS", "sip:127.0.0.1:" + router.port()).build(), farm.routerAddress(),
                Transport.UDP);
        Received ok = caller.awaitResponse(200, WAIT);
        assertThat(ok.header("Allow")).contains("INVITE");
        assertThat(node.received()).isEmpty();
    }
}
