package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The proxy's timers run on the scheduler the router is given: with a manual one, the failover timeout, Timer C
 * (§16.8) and the watch on a dispatcher that never answers fire when the test moves time past them, never before, and
 * a test of a 180 s timer takes no 180 s.
 */
@Timeout(30)
class ProxyTimersRunOnTheRoutersSchedulerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final Farm farm = Farm.withNodes(2).timersOnManualClock();
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent first = farm.first();
    private final SipTestAgent second = farm.second().uas(UasBehavior.answer());

    /** Default T1 (Timer B 32 s) and Timer C (180 s); failover after 10 s; round robin starts with {@code first}. */
    private RouterConfig config() {
        return farm.config("timers: { failover-timeout: 10s }");
    }

    @Test
    void aSilentNodeIsFailedOverOnceTheFailoverTimeoutHasPassedOnTheRoutersClock() throws Exception {
        first.uas(UasBehavior.silent());
        farm.start(config());
        farm.invite();
        caller.awaitResponse(100, WAIT);
        first.awaitRequest("INVITE", WAIT);

        farm.advance(Duration.ofMillis(9_900));
        second.assertNone(r -> r.isRequest() && r.method().equals("INVITE"), QUIET);

        farm.advance(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void aCallRingingUntilTimerCRunsOutIsCancelledAndTheCallerGets487() throws Exception {
        first.uas(UasBehavior.ringForever());
        farm.start(config());
        farm.invite();
        caller.awaitResponse(180, WAIT);

        farm.advance(Duration.ofSeconds(179));
        first.assertNone(r -> r.isRequest() && r.method().equals("CANCEL"), QUIET);

        farm.advance(Duration.ofSeconds(1));
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
        farm.start(config(), mute);
        farm.invite();
        caller.awaitResponse(100, WAIT);

        farm.advance(Duration.ofMillis(31_900)); // Timer B is 64*T1 = 32 s
        caller.assertNone(r -> !r.isRequest() && r.status() >= 200, QUIET);

        farm.advance(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(503);
    }
}
