package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * While the router is overloaded, a node's answer is most likely waiting in the router's own socket: a failover timeout
 * then does not send the call to another node (which would start a second leg) but waits, until the node's answer is
 * read, the overload is over, or the branch's Timer B (64*T1 = 32 s here) has passed. Time is the router's manual
 * scheduler's; the overload is real to the guard, faked by the test: tasks left waiting on the event loop over
 * {@code max-queued-tasks} (10) while the test moves time, as dispatcher answers piling up would.
 */
@Timeout(30)
class NoFailoverWhileTheRouterIsOverloadedTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final Farm farm = Farm.withNodes(2).timersOnManualClock();
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent first = farm.first().uas(UasBehavior.silent());
    private final SipTestAgent second = farm.second().uas(UasBehavior.answer());

    /** Failover after 2 s, default T1 (Timer B 32 s); round robin starts with {@code first}. */
    private Received callTheFirstNode() {
        farm.start(farm.config("timers: { failover-timeout: 2s }", "overload: { max-queued-tasks: 10 }"));
        farm.invite();
        caller.awaitResponse(100, WAIT);
        return first.awaitRequest("INVITE", WAIT);
    }

    /** Moves the router's time by {@code d} with more tasks waiting on its event loop than the guard's limit. */
    private void advanceOverloaded(Duration d) throws InterruptedException {
        farm.router().runOnEventLoop(() -> {
            EventExecutor loop = ThreadExecutorMap.currentExecutor();
            for (int i = 0; i < 20; i++) {
                loop.execute(() -> { }); // run once this task, and with it every sample of the guard, is done
            }
            farm.clock().advance(d);
        });
    }

    private boolean overloaded() {
        return farm.registry().get("sip.overload.active").gauge().value() == 1;
    }

    private double deferred() {
        return farm.registry().get("sip.failover.deferred").counter().count();
    }

    private void assertNoInviteOnTheSecondNode() {
        second.assertNone(r -> r.isRequest() && r.method().equals("INVITE"), QUIET);
    }

    @Test
    void aNodeWhoseAnswerIsLateWhileTheRouterIsOverloadedIsWaitedForAndNoOtherNodeIsTried() throws Exception {
        Received invite = callTheFirstNode();
        advanceOverloaded(Duration.ofSeconds(1));
        assertThat(overloaded()).isTrue();
        advanceOverloaded(Duration.ofSeconds(4)); // two failover timeouts pass
        assertNoInviteOnTheSecondNode();
        assertThat(deferred()).as("counted once per branch").isEqualTo(1);

        // The node's answers, read at last.
        first.send(first.response(invite.text(), 180, "n1"), invite.source(), Transport.UDP);
        caller.awaitResponse(180, WAIT);
        first.send(first.response(invite.text(), 200, "n1"), invite.source(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        advanceOverloaded(Duration.ofSeconds(40));
        assertNoInviteOnTheSecondNode();
        assertThat(first.all(r -> r.isRequest() && r.method().equals("CANCEL"))).isEmpty();
    }

    @Test
    void withoutOverloadABareTimeoutStillFailsOverAtTheFailoverTimeout() throws Exception {
        callTheFirstNode();
        farm.advance(Duration.ofMillis(1_900));
        assertNoInviteOnTheSecondNode();
        farm.advance(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
        assertThat(deferred()).isZero();
    }

    @Test
    void onceTheOverloadIsOverADeferredBranchFailsOverAtItsNextTimeout() throws Exception {
        callTheFirstNode();
        advanceOverloaded(Duration.ofSeconds(2)); // the timeout at 2 s finds the router overloaded: re-armed for 4 s
        assertThat(deferred()).isEqualTo(1);
        farm.advance(Duration.ofMillis(1_900)); // calm: the guard admits every call again by 2.9 s
        assertThat(overloaded()).isFalse();
        assertNoInviteOnTheSecondNode();

        farm.advance(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void aBranchThatSentOnly100IsWaitedForAtMostUntilItsTimerBThenCancelledAndFailedOver() throws Exception {
        Received invite = callTheFirstNode();
        // 100 Trying moves the client transaction out of Calling, where Timer B runs (§17.1.1.2): the proxy's own
        // bound is what ends the wait.
        first.send(first.response(invite.text(), 100, null), invite.source(), Transport.UDP);
        advanceOverloaded(Duration.ofMillis(31_900));
        assertNoInviteOnTheSecondNode();
        assertThat(overloaded()).isTrue();

        advanceOverloaded(Duration.ofMillis(100));
        first.awaitRequest("CANCEL", WAIT); // §9.1: it had answered provisionally
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void aBranchWithoutAnyAnswerEndsAtItsTimerBEvenWhileTheRouterStaysOverloaded() throws Exception {
        callTheFirstNode();
        advanceOverloaded(Duration.ofMillis(31_900));
        assertNoInviteOnTheSecondNode();

        advanceOverloaded(Duration.ofMillis(100));
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(second.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
        assertThat(first.all(r -> r.isRequest() && r.method().equals("CANCEL"))).as("§9.1: no provisional, no CANCEL")
                .isEmpty();
    }
}
