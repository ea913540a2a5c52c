package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The router is not an open relay: a Route set or in-dialog Request-URI is followed only when the request came through
 * the router's own Route (or strict routing to its Request-URI). Otherwise an in-dialog request gets 403 and a new
 * request goes to the farm's dispatcher, never to the host it names.
 */
class RequestsNotRoutedThroughTheRouterAreNotRelayedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());
    private final SipTestAgent victim = farm.closeAfterEach(SipTestAgent.start().uas(UasBehavior.answer()));

    @BeforeEach
    void start() {
        farm.start();
    }

    @Test
    void anInDialogRequestWithAForeignRouteOnlyGets403() {
        caller.send(caller.request("INFO", "sip:bob@192.0.2.1:5060").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + victim.hostPort() + ";lr>").build(), farm.routerAddress(), Transport.UDP);
        Received answer = caller.awaitFinal(WAIT);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Warning")).contains("without the router's Route");
        victim.assertNone(r -> true, Duration.ofMillis(200));
    }

    @Test
    void anInDialogRequestWithoutRouteToAForeignHostGets403() {
        caller.send(caller.request("BYE", victim.uri(Transport.UDP)).to("<sip:bob@192.0.2.1>;tag=x").build(),
                farm.routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(403);
        victim.assertNone(r -> true, Duration.ofMillis(200));
    }

    @Test
    void aNewRequestWithAForeignRouteGoesToTheFarmNotToThatHost() {
        caller.send(caller.request("INVITE", farm.callUri()).route("<sip:" + victim.hostPort() + ";lr>").build(),
                farm.routerAddress(), Transport.UDP);
        assertThat(node.awaitRequest("INVITE", WAIT)).isNotNull();
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(victim.all(r -> r.method().equals("INVITE"))).isEmpty();
    }
}
