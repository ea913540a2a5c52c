package io.roundhouse.router.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.testing.ManualScheduler;
import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the router sheds new calls, measured on the manual scheduler with the event loop's lag, busy time and queue
 * injected. Defaults: a sample every 50 ms judged over a 1 s window (20 samples); lag 100 ms, busy 90%, runnable off
 * (95% where a test sets it), 10,000 queued tasks, 10,000 calls in progress.
 */
@Timeout(10)
class OverloadGuardTest {

    private static final int WINDOW = 20;

    private final ManualScheduler scheduler = new ManualScheduler();
    /** How far the loop's clock is ahead of the scheduler's: a probe that runs late sees the difference as lag. */
    private final AtomicLong behindNanos = new AtomicLong();
    private final AtomicInteger queued = new AtomicInteger();
    /** The event loop thread's CPU time. */
    private final AtomicLong cpuNanos = new AtomicLong();
    /** The event loop thread's time runnable but waiting for a CPU (its schedstat's run_delay). */
    private final AtomicLong waitNanos = new AtomicLong();
    private final OverloadGuard guard = guard(OverloadSettings.DEFAULTS);

    private OverloadGuard guard(OverloadSettings settings) {
        OverloadGuard g = new OverloadGuard(settings, () -> scheduler.nowMillis() * 1_000_000 + behindNanos.get(),
                queued::get, cpuNanos::get);
        g.watchLoopWait(fakeWait());
        g.start(scheduler::schedule);
        return g;
    }

    private RunQueueWait fakeWait() {
        return new RunQueueWait() {
            @Override
            public long waitNanos() {
                return waitNanos.get();
            }

            @Override
            public void close() {
            }
        };
    }

    /** {@code n} samples in each of which the loop's thread ran {@code busyMillis} and waited {@code waitMillis}. */
    private void samplesStarved(int n, long busyMillis, long waitMillis) {
        for (int i = 0; i < n; i++) {
            cpuNanos.addAndGet(busyMillis * 1_000_000);
            waitNanos.addAndGet(waitMillis * 1_000_000);
            scheduler.advance(Duration.ofMillis(50));
        }
    }

    /** {@code n} samples in each of which the probe ran {@code lagMillis} late. */
    private void samplesWithLag(int n, long lagMillis) {
        for (int i = 0; i < n; i++) {
            behindNanos.addAndGet(lagMillis * 1_000_000);
            scheduler.advance(Duration.ofMillis(50));
        }
    }

    /** {@code n} samples in each of which the loop's thread ran {@code busyMillis} of the 50 ms. */
    private void samplesBusy(int n, long busyMillis) {
        for (int i = 0; i < n; i++) {
            cpuNanos.addAndGet(busyMillis * 1_000_000);
            scheduler.advance(Duration.ofMillis(50));
        }
    }

    private List<Boolean> offer(int calls) {
        List<Boolean> admitted = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            admitted.add(guard.admitsNewCall(0));
        }
        return admitted;
    }

    @Test
    void anIdleRouterTakesEveryCall() {
        samplesWithLag(WINDOW, 0);
        assertThat(offer(100)).containsOnly(true);
        assertThat(guard.overloaded()).isFalse();
    }

    @Test
    void aPauseOrAColdStartIsNotOverload() {
        samplesWithLag(WINDOW, 0);
        samplesWithLag(1, 400); // one GC pause, or the class loading of the first call
        samplesBusy(6, 50); // a burst: 300 ms of a fully busy loop
        samplesWithLag(WINDOW, 0);
        assertThat(guard.overloaded()).isFalse();
        assertThat(offer(100)).containsOnly(true);
    }

    @Test
    void aLoopLateForAWholeWindowShedsAQuarterOfNewCallsSpreadEvenly() {
        samplesWithLag(WINDOW, 150);
        assertThat(guard.overloaded()).isTrue();
        assertThat(guard.admittedShare()).isEqualTo(0.75);
        assertThat(offer(8)).containsExactly(true, true, true, false, true, true, true, false);
    }

    @Test
    void theDoorIsOnWhereTheJvmSeesTwoProcessorsUnlessSet() {
        assertThat(OverloadSettings.DEFAULTS.door(1)).as("its CPU would be the loop's").isFalse();
        assertThat(OverloadSettings.DEFAULTS.door(2)).isTrue();
        OverloadSettings off = new OverloadSettings(null, null, null, null, null, null, null, null, null, null, false);
        OverloadSettings on = new OverloadSettings(null, null, null, null, null, null, null, null, null, null, true);
        assertThat(off.door(8)).isFalse();
        assertThat(on.door(1)).isTrue();
    }

    /** The door's hold is 100 ms here: T1 200 ms. */
    private AtomicLong doorWaitMillis(long millis) {
        AtomicLong doorWait = new AtomicLong(millis * 1_000_000);
        guard.watchDoor(doorWait::get, Duration.ofMillis(100));
        return doorWait;
    }

    @Test
    void newCallsWaitingAtTheDoorPastT1ForAWholeWindowShed() {
        doorWaitMillis(250);
        samplesWithLag(WINDOW, 0);
        assertThat(guard.overloaded()).isTrue();
        assertThat(guard.decreases(OverloadGuard.Measure.DOOR_WAIT)).isEqualTo(1);
    }

    @Test
    void newCallsWaitingAtTheDoorUnderT1AreNotOverload() {
        doorWaitMillis(150); // past the hold, before the callers retransmit
        samplesWithLag(WINDOW * 3, 0);
        assertThat(guard.overloaded()).isFalse();
    }

    @Test
    void aWaitAtTheDoorOverMostOfTheHoldKeepsTheOverloadOnWithoutDeepeningIt() {
        AtomicLong doorWait = doorWaitMillis(250);
        samplesWithLag(WINDOW, 0);
        doorWait.set(90_000_000); // the door answers what waits past its hold: the wait hovers under it
        samplesWithLag(WINDOW * 2, 0);
        assertThat(guard.overloaded()).isTrue();
        assertThat(guard.admittedShare()).isEqualTo(0.75);
        doorWait.set(0);
        samplesWithLag(WINDOW - 1, 0);
        assertThat(guard.admittedShare()).as("on until a whole window without a wait").isEqualTo(0.75);
        samplesWithLag(11, 0); // then back by 2.5 points a sample
        assertThat(guard.overloaded()).isFalse();
    }

    @Test
    void aDoorThatEmptiesOnceInAWindowIsNotOverload() {
        AtomicLong doorWait = doorWaitMillis(250);
        samplesWithLag(WINDOW / 2, 0);
        doorWait.set(0); // the loop caught up for a moment: a burst, not a backlog
        samplesWithLag(1, 0);
        doorWait.set(250_000_000);
        samplesWithLag(WINDOW / 2 - 1, 0);
        assertThat(guard.overloaded()).isFalse();
    }

    @Test
    void sheddingGrowsOncePerWindowWhileTheOverloadLasts() {
        samplesWithLag(WINDOW, 150);
        samplesWithLag(WINDOW - 1, 150);
        assertThat(guard.admittedShare()).as("once per window: the measures need a window to show the effect")
                .isEqualTo(0.75);
        samplesWithLag(1, 150);
        assertThat(guard.admittedShare()).isEqualTo(0.5625);
    }

    @Test
    void onceTheLoopIsUnderEightyPercentOfItsLimitsEveryCallIsTakenAgainStepByStep() {
        samplesWithLag(WINDOW, 150);
        samplesWithLag(1, 90); // under the limit, over 80% of it: holds
        assertThat(guard.admittedShare()).isEqualTo(0.75);
        samplesWithLag(1, 0);
        assertThat(guard.admittedShare()).isEqualTo(0.775);
        samplesWithLag(9, 0);
        assertThat(guard.overloaded()).isFalse();
        assertThat(offer(100)).containsOnly(true);
    }

    @Test
    void aLoopThreadOnACpuForMostOfAWindowSheds() {
        samplesBusy(WINDOW, 47);
        assertThat(guard.overloaded()).isTrue();
        assertThat(guard.admittedShare()).isEqualTo(0.75);
    }

    @Test
    void tasksPilingUpOnTheLoopForAWholeWindowShed() {
        queued.set(10_001);
        samplesWithLag(WINDOW, 0);
        assertThat(guard.overloaded()).isTrue();
    }

    @Test
    void callsInProgressAtTheLimitAreShedAtOnceWithoutWaitingForASample() {
        assertThat(guard.admitsNewCall(9_999)).isTrue();
        assertThat(guard.admitsNewCall(10_000)).isFalse();
        assertThat(guard.overloaded()).as("the event loop itself is fine").isFalse();
    }

    @Test
    void itSaysItMayShedExactlyWhenItCouldRefuseACallAndAskingSpendsNothing() {
        assertThat(guard.shedding(9_999)).isFalse();
        assertThat(guard.shedding(10_000)).isTrue();
        samplesWithLag(WINDOW, 150);
        assertThat(guard.shedding(0)).isTrue();
        for (int i = 0; i < 100; i++) {
            guard.shedding(0);
        }
        assertThat(offer(8)).as("the same spread as without the questions")
                .containsExactly(true, true, true, false, true, true, true, false);
    }

    @Test
    void turnedOffItTakesEveryCall() {
        OverloadGuard off = guard(new OverloadSettings(false, null, null, null, null, null, null, null, null, null,
                null));
        samplesWithLag(WINDOW * 3, 5_000);
        assertThat(off.admitsNewCall(1_000_000)).isTrue();
        assertThat(off.shedding(1_000_000)).isFalse();
    }

    @Test
    void aLimitOutsideItsRangeIsRefusedWithItsKeyAndDefault() {
        assertThatThrownBy(() -> new OverloadSettings(null, null, null, null, 150, null, null, null, null, null, null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max-loop-busy")
                .hasMessageContaining("default 90");
        assertThatThrownBy(() -> new OverloadSettings(null, Duration.ofMillis(50), null, Duration.ofMillis(20), null,
                null, null, null, null, null, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("max-loop-lag");
        assertThatThrownBy(() -> new OverloadSettings(null, null, null, null, null, null, null, 0, null, null, null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max-udp-queue")
                .hasMessageContaining("default 50");
        assertThatThrownBy(() -> new OverloadSettings(null, null, null, null, null, null, null, null, -1, null, null))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max-udp-drops");
    }

    @Test
    void theUdpLimitsBindUnderSipOverloadAndABadOneIsRefusedWithItsPath() {
        OverloadSettings bound = io.roundhouse.router.config.RouterConfig.parse("sip: { listen: ["
                + " \"udp:127.0.0.1:5060\" ], overload: { max-udp-queue: 70, max-udp-drops: 5 } }\n").overload();
        assertThat(bound.maxUdpQueue()).isEqualTo(70);
        assertThat(bound.maxUdpDrops()).isEqualTo(5);
        assertThat(OverloadSettings.DEFAULTS.maxUdpQueue()).isEqualTo(50);
        assertThat(OverloadSettings.DEFAULTS.maxUdpDrops()).isZero();
        assertThatThrownBy(() -> io.roundhouse.router.config.RouterConfig.parse("sip: { listen: ["
                + " \"udp:127.0.0.1:5060\" ], overload: { max-udp-queue: 101 } }\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key())
                        .isEqualTo("sip.overload.max-udp-queue"));
    }

    private static final OverloadSettings RUNNABLE_95 = new OverloadSettings(null, null, null, null, null, null, null,
            null, null, 95, null);

    @Test
    void aLoopStarvedOfCpuForAWholeWindowShedsThoughItsOwnCpuTimeIsLow() {
        OverloadGuard g = guard(RUNNABLE_95);
        samplesStarved(WINDOW, 25, 24); // on a CPU 50%, waiting for one 48%: idle 2% of the window
        assertThat(g.overloaded()).isTrue();
        assertThat(g.admittedShare()).isEqualTo(0.75);
    }

    @Test
    void aLoopThatWaitsForACpuButStillIdlesPartOfTheWindowIsNotShed() {
        OverloadGuard g = guard(RUNNABLE_95);
        samplesStarved(WINDOW, 20, 27); // runnable 94%: it still waited for work 6% of the window
        assertThat(g.overloaded()).isFalse();
        samplesStarved(WINDOW, 5, 40); // a loaded host, a light loop: runnable 90%
        assertThat(g.overloaded()).isFalse();
        assertThat(offerTo(g, 100)).containsOnly(true);
    }

    @Test
    void aStarvedLoopIsTakenBackOnceItIsRunnableUnderEightyPercentOfTheLimit() {
        OverloadGuard g = guard(RUNNABLE_95);
        samplesStarved(WINDOW, 25, 24);
        samplesStarved(WINDOW, 20, 20); // runnable 80%: under the limit, over 80% of it (76%): holds
        assertThat(g.admittedShare()).isEqualTo(0.75);
        samplesStarved(WINDOW, 20, 15); // 70%
        assertThat(g.overloaded()).isFalse();
    }

    @Test
    void offByDefaultTheRunnableShareNeitherShedsNorHoldsTheRecovery() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        samplesStarved(WINDOW, 25, 24);
        assertThat(g.overloaded()).isFalse();
        udp.drops = 1;
        samplesStarved(1, 25, 24);
        assertThat(g.admittedShare()).isEqualTo(0.75);
        samplesStarved(WINDOW + 10, 25, 24); // runnable 98% (over 80% of 100) but off: the drops leave the window
        assertThat(g.overloaded()).isFalse();
    }

    @Test
    void withoutTheRunQueueWaitTheRunnableShareIsTheBusyOne() {
        OverloadGuard g = new OverloadGuard(RUNNABLE_95, () -> scheduler.nowMillis() * 1_000_000,
                queued::get, cpuNanos::get);
        g.watchLoopWait(RunQueueWait.ABSENT);
        g.start(scheduler::schedule);
        samplesStarved(WINDOW, 25, 24);
        assertThat(g.overloaded()).as("a starved loop is then seen by its UDP queues alone").isFalse();
        samplesStarved(WINDOW, 48, 0);
        assertThat(g.overloaded()).as("busy 96%").isTrue();
    }

    @Test
    void theRunnableLimitBindsUnderSipOverloadAndOneOutOfRangeIsRefusedWithItsPath() {
        assertThat(OverloadSettings.DEFAULTS.maxLoopRunnable()).as("off").isEqualTo(100);
        OverloadSettings bound = io.roundhouse.router.config.RouterConfig.parse("sip: { listen: ["
                + " \"udp:127.0.0.1:5060\" ], overload: { max-loop-runnable: 95 } }\n").overload();
        assertThat(bound.maxLoopRunnable()).isEqualTo(95);
        assertThatThrownBy(() -> io.roundhouse.router.config.RouterConfig.parse("sip: { listen: ["
                + " \"udp:127.0.0.1:5060\" ], overload: { max-loop-runnable: 101 } }\n"))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key())
                        .isEqualTo("sip.overload.max-loop-runnable"))
                .hasMessageContaining("default 100");
    }

    /** The UDP receive queues as {@link UdpReceiveQueues} reports them: the peak fill since the last sample, drops. */
    private static final class FakeQueues implements ReceiveQueues {
        int fillPercent;
        long drops;

        @Override
        public int takePeakFillPercent() {
            return fillPercent;
        }

        @Override
        public long drops() {
            return drops;
        }
    }

    private OverloadGuard watching(FakeQueues queues) {
        return watching(g -> g.watch(queues));
    }

    /** A guard of a router with a port for new calls: {@code own} carries only the calls it admitted. */
    private OverloadGuard watching(FakeQueues own, FakeQueues forNewCalls) {
        return watching(g -> g.watch(own, forNewCalls));
    }

    private OverloadGuard watching(java.util.function.Consumer<OverloadGuard> sockets) {
        OverloadGuard g = new OverloadGuard(OverloadSettings.DEFAULTS,
                () -> scheduler.nowMillis() * 1_000_000 + behindNanos.get(), queued::get, cpuNanos::get);
        sockets.accept(g);
        g.watchLoopWait(fakeWait());
        g.start(scheduler::schedule);
        samplesWithLag(WINDOW, 0);
        return g;
    }

    @Test
    void aUdpQueueOverHalfItsBufferShedsAtTheNextSampleWhateverTheLoopsOwnCpuTime() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        udp.fillPercent = 50;
        samplesBusy(1, 3); // a starved loop: on a CPU 6% of the time
        assertThat(g.overloaded()).as("at the limit, not above").isFalse();
        udp.fillPercent = 51;
        samplesBusy(1, 3);
        assertThat(g.overloaded()).isTrue();
        assertThat(g.admittedShare()).isEqualTo(0.75);
    }

    @Test
    void aDrainedQueueAdmitsEveryCallAgainOnlyAfterAWholeWindowUnderEightyPercentOfTheLimit() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        udp.fillPercent = 90;
        samplesWithLag(1, 0);
        assertThat(g.admittedShare()).isEqualTo(0.75);
        udp.fillPercent = 45; // under the limit, over 80% of it: holds, and keeps the window from clearing
        samplesWithLag(5, 0);
        udp.fillPercent = 0;
        samplesWithLag(WINDOW - 1, 0);
        assertThat(g.admittedShare()).as("the 45% samples are still in the window").isEqualTo(0.75);
        samplesWithLag(1, 0);
        assertThat(g.admittedShare()).isEqualTo(0.775, org.assertj.core.data.Offset.offset(1e-9));
        samplesWithLag(9, 0);
        assertThat(g.overloaded()).isFalse();
        assertThat(offerTo(g, 100)).containsOnly(true);
    }

    @Test
    void datagramsDroppedInASampleShedAtOnceAndAgainEachWindowTheyGoOn() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        udp.drops = 3;
        samplesWithLag(1, 0);
        assertThat(g.overloaded()).isTrue();
        assertThat(g.admittedShare()).isEqualTo(0.75);
        for (int i = 0; i < WINDOW; i++) {
            udp.drops += 10;
            samplesWithLag(1, 0);
        }
        assertThat(g.admittedShare()).isEqualTo(0.5625);
        samplesWithLag(WINDOW - 1, 0);
        assertThat(g.admittedShare()).as("drops in the window hold the share").isEqualTo(0.5625);
        samplesWithLag(18, 0); // from 0.5625 to all in 18 steps of 0.025
        assertThat(g.overloaded()).isFalse();
    }

    @Test
    void eachDecreaseIsCountedByTheMeasureThatWasOver() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        udp.drops = 3;
        samplesWithLag(1, 0);
        udp.drops = 4; // still dropping a window later, and now the loop is late too: lag is judged first
        samplesWithLag(WINDOW, 150);
        assertThat(g.decreases(OverloadGuard.Measure.UDP_DROPS)).isEqualTo(1);
        assertThat(g.decreases(OverloadGuard.Measure.LOOP_LAG)).isEqualTo(1);
        assertThat(g.decreases(OverloadGuard.Measure.UDP_QUEUE)).isZero();
    }

    /** {@code n} samples in each of which the socket dropped {@code perSample} datagrams. */
    private void samplesDropping(FakeQueues udp, int n, long perSample) {
        for (int i = 0; i < n; i++) {
            udp.drops += perSample;
            samplesWithLag(1, 0);
        }
    }

    @Test
    void aDecreaseAfterWhichTheSocketDropsAsMuchIsUndoneAndTheShareHoldsThere() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        samplesDropping(udp, 1, 10); // enters: 0.75
        samplesDropping(udp, WINDOW, 10); // a whole window overloaded at 0.75: 0.5625, to be judged
        assertThat(g.admittedShare()).isEqualTo(0.5625);
        samplesDropping(udp, WINDOW, 10); // as many drops after it: it only lost calls
        assertThat(g.admittedShare()).isEqualTo(0.75);
        assertThat(g.decreasesUndone()).isEqualTo(1);
        samplesDropping(udp, 3 * WINDOW, 10);
        assertThat(g.admittedShare()).as("the UDP measures push no further in this overload").isEqualTo(0.75);
        assertThat(g.overloaded()).isTrue();
    }

    @Test
    void aDecreaseAfterWhichTheSocketDropsLessIsKeptAndSheddingGoesOn() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        samplesDropping(udp, 1, 40);
        samplesDropping(udp, WINDOW, 40);
        samplesDropping(udp, WINDOW, 20); // half the drops after the decrease: it helped
        assertThat(g.admittedShare()).isEqualTo(0.421875);
        assertThat(g.decreasesUndone()).isZero();
    }

    @Test
    void withAPortForNewCallsTheRoutersOwnSocketDroppingLowersTheShareEachWindowAndNoneIsUndone() {
        FakeQueues own = new FakeQueues();
        OverloadGuard g = watching(own, new FakeQueues());
        samplesDropping(own, 1 + 3 * WINDOW, 10); // as many drops after each decrease: the admitted calls' own load

        assertThat(g.admittedShare()).isEqualTo(0.75 * 0.75 * 0.75 * 0.75);
        assertThat(g.decreasesUndone()).isZero();
        assertThat(g.decreases(OverloadGuard.Measure.UDP_DROPS)).isEqualTo(4);
    }

    @Test
    void aPortForNewCallsDroppingAsMuchAfterADecreaseHasItUndoneAndCountsByItsOwnMeasure() {
        FakeQueues forNewCalls = new FakeQueues();
        OverloadGuard g = watching(new FakeQueues(), forNewCalls);
        samplesDropping(forNewCalls, 1 + 2 * WINDOW, 10); // entered, decreased, undone: a flood shedding cannot stem

        assertThat(g.admittedShare()).isEqualTo(0.75);
        assertThat(g.decreasesUndone()).isEqualTo(1);
        assertThat(g.decreases(OverloadGuard.Measure.NEW_CALL_UDP_DROPS)).isEqualTo(2);
        assertThat(g.decreases(OverloadGuard.Measure.UDP_DROPS)).isZero();
    }

    @Test
    void underAPortForNewCallsFloorTheRoutersOwnSocketStillLowersTheShare() {
        FakeQueues own = new FakeQueues();
        FakeQueues forNewCalls = new FakeQueues();
        OverloadGuard g = watching(own, forNewCalls);
        samplesDropping(forNewCalls, 1 + 2 * WINDOW, 10);
        assertThat(g.admittedShare()).isEqualTo(0.75);

        own.fillPercent = 60; // the admitted calls' datagrams wait now
        samplesDropping(forNewCalls, WINDOW, 10);

        assertThat(g.admittedShare()).isEqualTo(0.5625);
        assertThat(g.decreases(OverloadGuard.Measure.UDP_QUEUE)).isEqualTo(1);
    }

    @Test
    void theFirstDecreaseIsNotJudgedByAWindowThatWasPartlyCalm() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        samplesDropping(udp, 1, 10); // the window before it had one sample with drops
        samplesDropping(udp, WINDOW, 10); // twenty after it: more drops in the window, but not a verdict
        assertThat(g.admittedShare()).isEqualTo(0.5625);
        assertThat(g.decreasesUndone()).isZero();
    }

    @Test
    void underTheUdpFloorTheLoopsOwnMeasuresStillLowerTheShare() {
        FakeQueues udp = new FakeQueues();
        OverloadGuard g = watching(udp);
        samplesDropping(udp, 1 + 2 * WINDOW, 10); // entered, decreased, undone: held at 0.75
        assertThat(g.admittedShare()).isEqualTo(0.75);
        samplesWithLag(WINDOW, 150); // the loop itself a whole window late: that is the calls' own work
        assertThat(g.admittedShare()).isEqualTo(0.5625);
    }

    @Test
    void dropsBeforeTheGuardStartedAreNotCounted() {
        FakeQueues udp = new FakeQueues();
        udp.drops = 500;
        OverloadGuard g = watching(udp);
        samplesWithLag(1, 0);
        assertThat(g.overloaded()).isFalse();
    }

    private static List<Boolean> offerTo(OverloadGuard g, int calls) {
        List<Boolean> admitted = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            admitted.add(g.admitsNewCall(0));
        }
        return admitted;
    }
}
