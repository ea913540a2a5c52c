package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/**
 * Every 503 the caller sees is the router's own, with the router's Retry-After ({@code sip.retry-after}, default 5 s):
 * a node's 503 and its Retry-After (which speaks for that node only) are never relayed.
 */
class RoutersOwn503CarriesRetryAfterTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node();

    private Received call() {
        farm.invite();
        return caller.awaitFinal(WAIT);
    }

    @Test
    void noNodeLeftGets503WithTheDefaultRetryAfter() {
        farm.start(TestRouters.config(List.of(), Transport.UDP, 1000));
        Received result = call();
        assertThat(result.status()).isEqualTo(503);
        assertThat(result.headers("Retry-After")).containsExactly("5");
    }

    @Test
    void aNodes503IsReplacedByTheRoutersOwnWithTheConfiguredRetryAfter() {
        // The test agent's 503 carries "Retry-After: 5"; the router is configured with 7 s.
        node.uas(UasBehavior.reject(503));
        RouterConfig base = TestRouters.config(node);
        String yaml = """
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  retry-after: 7s
                  timers: { t1: 50ms, failover-timeout: 1s }
                nodes:
                  - { id: node-1, uri: "%s", weight: 1 }
                """.formatted(base.nodes().get(0).uri());
        farm.start(RouterConfig.parse(yaml));
        Received result = call();
        assertThat(result.status()).isEqualTo(503);
        assertThat(result.headers("Retry-After")).containsExactly("7");
        assertThat(result.header("Server")).isEqualTo("Roundhouse");
    }

    @Test
    void aRetryAfterBelowOneSecondButNotOffIsAConfigError() {
        assertThatThrownBy(() -> RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  retry-after: 500ms
                """)).hasMessageContaining("sip.retry-after");
    }
}
