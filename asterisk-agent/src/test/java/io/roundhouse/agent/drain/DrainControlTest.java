package io.roundhouse.agent.drain;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.agent.state.SettableLoad;
import io.roundhouse.shared.state.NodeStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(10)
class DrainControlTest {


    private final SettableLoad load = new SettableLoad();
    private final AtomicInteger statusChanges = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong();
    private final DrainControl drain = new DrainControl(load, statusChanges::incrementAndGet, clock::get);

    @Test
    void operatorDrainAdvertisesDrainingUntilTheLastChannelEndsThenDrained() {
        load.channels = 2;
        drain.operatorWish(Optional.of(NodeStatus.DRAINING));
        assertThat(drain.status()).isEqualTo(NodeStatus.DRAINING);
        assertThat(statusChanges.get()).isEqualTo(1);

        load.channels = 1;
        drain.stateChanged();
        assertThat(drain.status()).isEqualTo(NodeStatus.DRAINING);
        load.channels = 0;
        drain.stateChanged();
        assertThat(drain.status()).isEqualTo(NodeStatus.DRAINED);
        assertThat(statusChanges.get()).isEqualTo(2);
    }

    @Test
    void undrainReturnsTheNodeToService() {
        drain.operatorWish(Optional.of(NodeStatus.DRAINING));
        assertThat(drain.status()).isEqualTo(NodeStatus.DRAINED);
        drain.operatorWish(Optional.empty());
        assertThat(drain.status()).isEqualTo(NodeStatus.ACTIVE);
        drain.operatorWish(Optional.of(NodeStatus.DISABLED));
        assertThat(drain.status()).isEqualTo(NodeStatus.DISABLED);
        drain.operatorWish(Optional.of(NodeStatus.ACTIVE));
        assertThat(drain.status()).isEqualTo(NodeStatus.ACTIVE);
    }

    @Test
    void anUnreachableAsteriskCannotConfirmTheDrain() {
        load.reachable = false;
        drain.shutdownRequested();
        assertThat(drain.status()).isEqualTo(NodeStatus.DRAINING);
    }

    @Test
    void shutdownIsNotUndoneByTheOperator() {
        load.channels = 1;
        drain.shutdownRequested();
        drain.operatorWish(Optional.of(NodeStatus.ACTIVE));
        assertThat(drain.status()).isEqualTo(NodeStatus.DRAINING);
    }

    @Test
    void awaitDrainedReturnsWhenTheLastChannelEnds() throws Exception {
        load.channels = 1;
        drain.shutdownRequested();
        CompletableFuture<DrainControl.Outcome> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return drain.awaitDrained(Duration.ofSeconds(30), Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(drained).isNotDone();
        load.channels = 0;
        drain.stateChanged();
        assertThat(drained.get(5, TimeUnit.SECONDS)).isEqualTo(DrainControl.Outcome.DRAINED);
    }

    @Test
    void awaitDrainedGivesUpAtTheTimeoutOnTheInjectedClock() throws Exception {
        load.channels = 3;
        DrainControl late = new DrainControl(load, () -> { }, new java.util.function.LongSupplier() {
            private long calls;

            @Override
            public long getAsLong() {
                // First call fixes the deadline; every later call is one minute later.
                return calls++ == 0 ? 0 : 60_000_000_000L;
            }
        });
        late.shutdownRequested();
        assertThat(late.awaitDrained(Duration.ofSeconds(30), Duration.ofSeconds(10)))
                .isEqualTo(DrainControl.Outcome.TIMED_OUT);
        assertThat(late.status()).isEqualTo(NodeStatus.DRAINING);
    }

    @Test
    void aShutdownWithTheChannelCountUnknownEndsAfterTheUnreachableTimeoutNotTheDrainTimeout() throws Exception {
        load.channels = 14; // the last count before AMI was lost: stale, not to be trusted
        load.reachable = false;
        drain.shutdownRequested();
        CompletableFuture<DrainControl.Outcome> outcome = waiting(Duration.ofSeconds(300), Duration.ofSeconds(30));
        clock.set(Duration.ofSeconds(29).toNanos());
        drain.stateChanged();
        assertThat(outcome).isNotDone();

        clock.set(Duration.ofSeconds(30).toNanos());
        drain.stateChanged();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(DrainControl.Outcome.COUNT_UNKNOWN);
    }

    @Test
    void amiBackDuringTheDrainCountsAgainAndRestartsTheUnknownWait() throws Exception {
        load.channels = 1;
        load.reachable = false;
        drain.shutdownRequested();
        CompletableFuture<DrainControl.Outcome> outcome = waiting(Duration.ofSeconds(300), Duration.ofSeconds(30));
        clock.set(Duration.ofSeconds(20).toNanos());
        load.reachable = true;
        drain.stateChanged();
        clock.set(Duration.ofSeconds(40).toNanos());
        drain.stateChanged();
        assertThat(outcome).as("the count is known again: 1 channel up").isNotDone();

        load.channels = 0;
        drain.stateChanged();
        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(DrainControl.Outcome.DRAINED);
    }

    /** Runs awaitDrained on its own thread and returns once that thread waits (the clock is read from then on). */
    private CompletableFuture<DrainControl.Outcome> waiting(Duration timeout, Duration unknownTimeout) {
        CompletableFuture<DrainControl.Outcome> outcome = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                outcome.complete(drain.awaitDrained(timeout, unknownTimeout));
            } catch (InterruptedException | RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        }, "drain-waiter");
        waiter.setDaemon(true);
        waiter.start();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        return outcome;
    }
}
