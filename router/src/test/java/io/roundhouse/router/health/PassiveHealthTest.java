package io.roundhouse.router.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Passive health (Kamailio's ds_mark_dst in a failure route): a node that answers OPTIONS but lets INVITEs go
 * unanswered is held down after three timeouts in a row, and only an answer to an INVITE (a trial call) brings it
 * back. Time is a controllable clock.
 */
@Timeout(10)
class PassiveHealthTest {

    static final Duration TRIAL_EVERY = PassiveHealth.DEFAULT_TRIAL_EVERY;

    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    final Map<String, HealthState> probed = new HashMap<>();
    final FarmHealth health = new FarmHealth(id -> probed.getOrDefault(id, HealthState.UP),
            () -> java.util.Set.of("a", "b"),
            PassiveHealth.DEFAULT_TIMEOUTS_DOWN, TRIAL_EVERY, clock::get);
    final List<String> wentDown = new ArrayList<>();

    PassiveHealthTest() {
        health.onNodeDown(wentDown::add);
    }

    void timeouts(String node, int n) {
        for (int i = 0; i < n; i++) {
            health.inviteSent(node);
            health.inviteTimedOut(node);
        }
    }

    void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    @Test
    void threeInviteTimeoutsInARowHoldANodeDownNotTwo() {
        timeouts("a", 2);
        assertThat(health.whyNot("a")).isNull();
        timeouts("a", 1);
        assertThat(health.whyNot("a")).isEqualTo("invite-timeouts");
        assertThat(health.isDown("a")).isTrue();
    }

    @Test
    void anAnsweredInviteInBetweenStartsTheCountAgain() {
        timeouts("a", 2);
        health.inviteAnswered("a");
        timeouts("a", 2);
        assertThat(health.takesCalls("a")).isTrue();
    }

    @Test
    void listenersAreToldOnceWhenTheNodeIsHeld() {
        timeouts("a", 5);
        assertThat(wentDown).containsExactly("a");
    }

    @Test
    void optionsAnsweredAllAlongDoNotBringItBack() {
        timeouts("a", 3);
        probed.put("a", HealthState.UP);
        advance(TRIAL_EVERY.minusSeconds(1));
        assertThat(health.whyNot("a")).isEqualTo("invite-timeouts");
    }

    @Test
    void aHeldNodeGetsOneTrialCallPerPeriod() {
        timeouts("a", 3);
        advance(TRIAL_EVERY);
        assertThat(health.takesCalls("a")).as("trial due").isTrue();
        health.inviteSent("a");
        assertThat(health.takesCalls("a")).as("one trial at a time").isFalse();
        advance(TRIAL_EVERY);
        assertThat(health.takesCalls("a")).as("a trial whose outcome never came is followed by another").isTrue();
    }

    @Test
    void aTrialCallAnsweredBringsTheNodeBack() {
        timeouts("a", 3);
        advance(TRIAL_EVERY);
        health.inviteSent("a");
        health.inviteAnswered("a");
        assertThat(health.takesCalls("a")).isTrue();
        assertThat(health.isDown("a")).isFalse();
        timeouts("a", 2);
        assertThat(health.takesCalls("a")).as("judged afresh: three timeouts again").isTrue();
    }

    @Test
    void aTrialCallTimedOutHoldsTheNodeOneMorePeriod() {
        timeouts("a", 3);
        advance(TRIAL_EVERY);
        timeouts("a", 1);
        advance(TRIAL_EVERY.minusSeconds(1));
        assertThat(health.whyNot("a")).isEqualTo("invite-timeouts");
        advance(Duration.ofSeconds(1));
        assertThat(health.takesCalls("a")).isTrue();
        assertThat(wentDown).as("still the same outage").containsExactly("a");
    }

    @Test
    void timeoutsOfANodeProbingFoundDeadAreProbingsBusiness() {
        probed.put("a", HealthState.DOWN);
        timeouts("a", 5);
        probed.put("a", HealthState.UP);
        assertThat(health.takesCalls("a")).isTrue();
    }

    @Test
    void aNodeFoundDeadByProbingIsJudgedAfreshWhenItReturns() {
        timeouts("a", 3);
        probed.put("a", HealthState.DOWN);
        health.probedDown("a");
        assertThat(health.whyNot("a")).isEqualTo("down");
        probed.put("a", HealthState.UP);
        assertThat(health.takesCalls("a")).as("restarted after a crash: no trial call needed").isTrue();
        assertThat(wentDown).containsExactly("a", "a");
    }

    @Test
    void theLastNodesThatTakeCallsAreNeverHeld() {
        timeouts("a", 3);
        timeouts("b", 3);
        assertThat(health.takesCalls("a")).as("a caller must not be able to turn the farm off").isTrue();
        assertThat(health.takesCalls("b")).isTrue();
        assertThat(health.isDown("a")).as("still held: a node that answers comes first").isTrue();
    }

    @Test
    void aHeldNodeTakesCallsWhenTheOtherIsDownByProbing() {
        timeouts("a", 3);
        probed.put("b", HealthState.DOWN);
        assertThat(health.takesCalls("a")).isTrue();
    }

    @Test
    void aReloadedThresholdCountsFromTheNextTimeoutOn() {
        health.reconfigure(new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 2, 5,
                Duration.ofMinutes(1)));
        timeouts("a", 4);
        assertThat(health.takesCalls("a")).isTrue();
        timeouts("a", 1);
        assertThat(health.whyNot("a")).isEqualTo("invite-timeouts");
        advance(TRIAL_EVERY);
        assertThat(health.takesCalls("a")).as("trial every minute now").isFalse();
    }

    @Test
    void otherNodesAreNotAffected() {
        timeouts("a", 3);
        assertThat(health.takesCalls("b")).isTrue();
    }
}
