package io.roundhouse.router.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The static dispatcher knows a node by address and port, as the live one does: with nodes on 127.0.0.1 (the example
 * config), every other local process is not a node, so the proxy relays nothing to it. No source, a node's included,
 * sets X-Exec-App.
 */
class ANodeIsKnownByItsAddressAndPortTest {

    @Test
    void anotherPortOnANodesHostIsNotTheNode() {
        StaticRoundRobinDispatcher d = new StaticRoundRobinDispatcher(List.of(new StaticNode("n", "sip:127.0.0.1:5081",
                1)));
        assertThat(d.isFromNode(new InetSocketAddress("127.0.0.1", 5081))).isTrue();
        assertThat(d.isFromNode(new InetSocketAddress("127.0.0.1", 40000))).isFalse();
    }

    @Test
    void aLocalCallersExecAppHeaderIsStripped() {
        try (Farm farm = Farm.withNodes(1)) {
            SipTestAgent caller = farm.caller();
            SipTestAgent node = farm.node().uas(UasBehavior.answer());
            Router router = farm.start();
            caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).header("X-Exec-App: Evil")
                    .build(), farm.routerAddress(), Transport.UDP);
            Received forwarded = node.awaitRequest("INVITE", Duration.ofSeconds(5));
            assertThat(forwarded.headers("X-Exec-App")).isEmpty();
        }
    }
}
