package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router is not an open relay: a Route set or in-dialog Request-URI is followed only when the request came through
 * the router's own Route (or strict routing to its Request-URI). Otherwise an in-dialog request gets 403 and a new
 * request goes to the farm's dispatcher, never to the host it names.
 */
class RequestsNotRoutedThroughTheRouterAreNotRelayedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final SipTestAgent caller = SipTestAgent.start();
    private final SipTestAgent node = SipTestAgent.start().uas(UasBehavior.answer());
    private final SipTestAgent victim = SipTestAgent.start().uas(UasBehavior.answer());
    private Router router;

    @BeforeEach
    void start() {
        router = Router.start(TestRouters.config(node));
    }

    @AfterEach
    void stop() {
        router.close();
        caller.close();
        node.close();
        victim.close();
    }

    private InetSocketAddress routerAddress() {
        return new InetSocketAddress("127.0.0.1", router.port());
    }

    @Test
    void anInDialogRequestWithAForeignRouteOnlyGets403() {
        caller.send(caller.request("INFO", "sip:bob@192.0.2.1:5060").to("<sip:bob@192.0.2.1>;tag=x")
                .route("<sip:" + victim.hostPort() + ";lr>").build(), routerAddress(), Transport.UDP);
        Received answer = caller.awaitFinal(WAIT);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("Warning")).contains("without the router's Route");
        victim.assertNone(r -> true, Duration.ofMillis(200));
    }

    @Test
    void anInDialogRequestWithoutRouteToAForeignHostGets403() {
        caller.send(caller.request("BYE", victim.uri(Transport.UDP)).to("<sip:bob@192.0.2.1>;tag=x").build(),
                routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(403);
        victim.assertNone(r -> true, Duration.ofMillis(200));
    }

    @Test
    void aNewRequestWithAForeignRouteGoesToTheFarmNotToThatHost() {
        caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port())
                .route("<sip:" + victim.hostPort() + ";lr>").build(), routerAddress(), Transport.UDP);
        assertThat(node.awaitRequest("INVITE", WAIT)).isNotNull();
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(victim.all(r -> r.method().equals("INVITE"))).isEmpty();
    }
}
