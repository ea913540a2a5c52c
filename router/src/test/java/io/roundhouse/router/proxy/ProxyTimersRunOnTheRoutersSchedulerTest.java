package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.testing.ManualScheduler;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The proxy's timers run on the scheduler the router is given: with a manual one, the failover timeout, Timer C
 * (§16.8) and the watch on a dispatcher that never answers fire when the test moves time past them, never before, and
 * a test of a 180 s timer takes no 180 s.
 */
@Timeout(30)
class ProxyTimersRunOnTheRoutersSchedulerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final SipTestAgent caller = SipTestAgent.start();
    private final SipTestAgent first = SipTestAgent.start();
    private final SipTestAgent second = SipTestAgent.start().uas(UasBehavior.answer());
    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        caller.close();
        first.close();
        second.close();
    }

    /** Default T1 (Timer B 32 s) and Timer C (180 s); failover after 10 s; round robin starts with {@code first}. */
    private void startRouter() {
        RouterConfig cfg = config();
        router = Router.start(cfg, new StaticRoundRobinDispatcher(cfg.nodes()), new SimpleMeterRegistry(),
                loop -> scheduler);
    }

    private RouterConfig config() {
        return RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  timers: { failover-timeout: 10s }
                nodes:
                  - { id: first, uri: "%s" }
                  - { id: second, uri: "%s" }
                """.formatted(first.uri(Transport.UDP), second.uri(Transport.UDP)));
    }

    private void advance(Duration d) throws InterruptedException {
        router.runOnEventLoop(() -> scheduler.advance(d));
    }

    private void call() {
        caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(),
                new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
    }

    @Test
    void aSilentNodeIsFailedOverOnceTheFailoverTimeoutHasPassedOnTheRoutersClock() throws Exception {
        first.uas(UasBehavior.silent());
        startRouter();
        call();
        caller.awaitResponse(100, WAIT);
        first.awaitRequest("INVITE", WAIT);

        advance(Duration.ofMillis(9_900));
        second.assertNone(r -> r.isRequest() && r.method().equals("INVITE"), QUIET);

        advance(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void aCallRingingUntilTimerCRunsOutIsCancelledAndTheCallerGets487() throws Exception {
        first.uas(UasBehavior.ringForever());
        startRouter();
        call();
        caller.awaitResponse(180, WAIT);

        advance(Duration.ofSeconds(179));
        first.assertNone(r -> r.isRequest() && r.method().equals("CANCEL"), QUIET);

        advance(Duration.ofSeconds(1));
        first.awaitRequest("CANCEL", WAIT);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(487);
        assertThat(second.all(r -> r.isRequest())).as("Timer C ends the call, it is not failed over").isEmpty();
    }

    @Test
    void aDispatcherThatNeverAnswersCostsTheCallerTimerBAndThenA503() throws Exception {
        Dispatcher mute = new Dispatcher() {
            @Override
            public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
                return new CompletableFuture<>();
            }

            @Override
            public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                                  AttemptOutcome outcome) {
                return new CompletableFuture<>();
            }

            @Override
            public boolean isFromNode(InetSocketAddress source) {
                return false;
            }
        };
        router = Router.start(config(), mute, new SimpleMeterRegistry(), loop -> scheduler);
        call();
        caller.awaitResponse(100, WAIT);

        advance(Duration.ofMillis(31_900)); // Timer B is 64*T1 = 32 s
        caller.assertNone(r -> !r.isRequest() && r.status() >= 200, QUIET);

        advance(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(503);
    }
}
