package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.health.HealthState;
import io.roundhouse.router.health.PassiveHealth;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A call ringing on a node that goes down is not held until Timer C (then a misleading 487): health tells the proxy,
 * which cancels the branch and fails the call over at once. Timers are the defaults (Timer C 180 s, 64*T1 32 s), so
 * an answer within a few seconds can only come from the node-down path. Health is driven by the test.
 */
@Timeout(30)
class CallsOnANodeThatGoesDownAreNotStrandedTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    /** The router's timers on a manual clock: the failover timeout fires only when a test moves it, not under load. */
    @RegisterExtension
    final Farm farm = Farm.withNodes("dying", "healthy").timersOnManualClock();
    final SipTestAgent caller = farm.caller();
    final SipTestAgent dying = farm.first();
    final SipTestAgent healthy = farm.second().uas(UasBehavior.answer());
    final Map<String, HealthState> probed = new ConcurrentHashMap<>();
    final FarmHealth health = new FarmHealth(id -> probed.getOrDefault(id, HealthState.UP),
            () -> java.util.Set.of("dying", "healthy"),
            PassiveHealth.DEFAULT_TIMEOUTS_DOWN, PassiveHealth.DEFAULT_TRIAL_EVERY, System::nanoTime);

    /** Round robin over the default timers: the first call goes to the dying node. */
    void startRouter() {
        RouterConfig cfg = farm.config();
        farm.start(cfg, new StaticRoundRobinDispatcher(cfg.nodes(), health));
    }

    RequestBuilder ringingCall() {
        startRouter();
        RequestBuilder invite = caller.request("INVITE", farm.callUri()).fromTag("abc");
        caller.send(invite.build(), farm.routerAddress(), Transport.UDP);
        caller.awaitResponse(180, WAIT);
        return invite;
    }

    /**
     * A final response to this call only: the caller's port may have served another test's caller a moment ago, whose
     * router can still send it a response (seen: a stray 200 from another router failed the test under load).
     */
    static Predicate<Received> finalOf(RequestBuilder invite) {
        String callId = invite.callId();
        return r -> !r.isRequest() && r.status() >= 200 && r.cseqMethod().equals("INVITE") && callId.equals(r.callId());
    }

    void dyingGoesDown() {
        probed.put("dying", HealthState.DOWN);
        health.probedDown("dying");
    }

    @Test
    void aRingingCallIsFailedOverToAnotherNodeWhenItsNodeGoesDown() {
        dying.uas(UasBehavior.ringForever());
        ringingCall();

        dyingGoesDown();

        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(dying.awaitRequest("CANCEL", WAIT).method()).as("the ringing branch is cancelled (§9.1)")
                .isEqualTo("CANCEL");
        assertThat(healthy.all(r -> r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void aCallTheCallerCancelledWhoseNodeDiesGetsIts487AtOnce() {
        // Rings, then ignores everything else, the CANCEL included: the router would wait 64*T1 for the node's 487.
        dying.uas(new UasBehavior(List.of(100, 180), false));
        RequestBuilder invite = ringingCall();
        caller.send(invite.cancel().build(), farm.routerAddress(), Transport.UDP);
        dying.awaitRequest("CANCEL", WAIT);

        dyingGoesDown();

        assertThat(caller.await(finalOf(invite), WAIT).status()).isEqualTo(487);
        assertThat(healthy.all(r -> r.method().equals("INVITE"))).as("a cancelled call is not failed over").isEmpty();
    }

    @Test
    void aCallThatHasNotRungThereIsLeftToItsFailoverTimeout() throws InterruptedException {
        dying.uas(new UasBehavior(List.of(100), true));
        startRouter();
        RequestBuilder invite = farm.invite();
        caller.awaitResponse(100, WAIT);
        // The router's own 100 Trying leaves before it asks the dispatcher: a node marked down before the INVITE
        // reached it would never be chosen, and the call would go straight to the healthy node (its 200 seen early).
        dying.awaitRequest("INVITE", WAIT);

        dyingGoesDown();

        // Probing may misjudge an overloaded node: a call it may still answer is not cut, its failover timer (2 s)
        // ends the branch soon anyway.
        caller.assertNone(finalOf(invite), Duration.ofMillis(500));
        farm.advance(Duration.ofMillis(1_999));
        assertThat(healthy.all(r -> r.method().equals("INVITE"))).as("not before the failover timeout").isEmpty();
        farm.advance(Duration.ofMillis(1));
        assertThat(caller.await(finalOf(invite), WAIT).status()).isEqualTo(200);
    }

    @Test
    void callsOnOtherNodesAreLeftAlone() {
        dying.uas(UasBehavior.ringForever());
        RequestBuilder invite = ringingCall();

        probed.put("healthy", HealthState.DOWN);
        health.probedDown("healthy");

        caller.assertNone(finalOf(invite), Duration.ofMillis(500));
        assertThat(dying.all(r -> r.method().equals("CANCEL"))).isEmpty();
    }
}
