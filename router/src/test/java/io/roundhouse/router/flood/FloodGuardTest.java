package io.roundhouse.router.flood;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pike-like per-source flood limit, on an injected clock: 100 messages per 1 s window, blocks of 5 s. */
@Timeout(10)
class FloodGuardTest {

    private static final InetSocketAddress FLOODER = new InetSocketAddress("127.0.0.2", 5060);
    private static final InetSocketAddress CALLER = new InetSocketAddress("127.0.0.1", 5060);
    private static final InetSocketAddress NODE = new InetSocketAddress("127.0.0.3", 5080);

    private final AtomicLong nanos = new AtomicLong(7_000_000_000_000L);
    private final FloodGuard guard = guard(settings(100, 10_000, List.of()));

    private FloodGuard guard(FloodSettings settings) {
        return new FloodGuard(settings, NODE::equals, nanos::get);
    }

    private static FloodSettings settings(int maxMessages, int maxSources, List<String> exempt) {
        return new FloodSettings(true, Duration.ofSeconds(1), maxMessages, Duration.ofSeconds(5), maxSources, exempt);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Sends {@code count} messages spread evenly over {@code over}; returns how many were let through. */
    private int send(FloodGuard g, InetSocketAddress source, int count, Duration over) {
        int admitted = 0;
        long step = over.toNanos() / count;
        for (int i = 0; i < count; i++) {
            if (g.admit(source)) {
                admitted++;
            }
            nanos.addAndGet(step);
        }
        return admitted;
    }

    @Test
    void aSourceUnderTheLimitIsNeverBlocked() {
        assertThat(send(guard, CALLER, 900, Duration.ofSeconds(10))).isEqualTo(900);
        assertThat(guard.blocks()).isZero();
    }

    @Test
    void aSourceOverTheLimitIsBlockedAndItsMessagesDroppedAndCounted() {
        int admitted = send(guard, FLOODER, 1_000, Duration.ofSeconds(1));

        assertThat(admitted).isBetween(100, 101);
        assertThat(guard.isBlocked(FLOODER.getAddress())).isTrue();
        assertThat(guard.blocks()).isEqualTo(1);
        assertThat(guard.dropped()).isEqualTo(1_000 - admitted);
    }

    @Test
    void aFlooderDoesNotCostAnotherSourceAMessage() {
        int caller = 0;
        // The flooder at 2,500 messages/s, the caller at 50/s (half the limit) for 2 s.
        for (int i = 0; i < 100; i++) {
            send(guard, FLOODER, 50, Duration.ofMillis(20));
            caller += guard.admit(CALLER) ? 1 : 0;
        }

        assertThat(guard.isBlocked(FLOODER.getAddress())).isTrue();
        assertThat(caller).isEqualTo(100);
        assertThat(guard.isBlocked(CALLER.getAddress())).isFalse();
    }

    @Test
    void aBurstAtAWindowBoundaryDoesNotDoubleTheAllowance() {
        advance(Duration.ofMillis(900));
        send(guard, FLOODER, 90, Duration.ofMillis(90));
        // 90 at the end of one window and 90 at the start of the next: 180 within 200 ms.
        send(guard, FLOODER, 90, Duration.ofMillis(90));

        assertThat(guard.isBlocked(FLOODER.getAddress())).isTrue();
    }

    @Test
    void aBlockLastsWhileTheSourceFloodsAndEndsAfterBlockForUnderTheLimit() {
        send(guard, FLOODER, 1_000, Duration.ofSeconds(1));
        send(guard, FLOODER, 10_000, Duration.ofSeconds(10));
        assertThat(guard.isBlocked(FLOODER.getAddress())).as("still flooding").isTrue();

        // Under the limit, but within block-for of the last window over it: still dropped.
        assertThat(send(guard, FLOODER, 40, Duration.ofSeconds(4))).isZero();
        advance(Duration.ofSeconds(2));

        assertThat(guard.admit(FLOODER)).isTrue();
        assertThat(guard.isBlocked(FLOODER.getAddress())).isFalse();
        assertThat(guard.blockedSources()).isZero();
    }

    @Test
    void aSilentBlockedSourceIsLetBackInBySweep() {
        send(guard, FLOODER, 1_000, Duration.ofSeconds(1));
        assertThat(guard.blockedSources()).isEqualTo(1);

        advance(Duration.ofSeconds(6));
        guard.sweep();

        assertThat(guard.blockedSources()).isZero();
        assertThat(guard.trackedSources()).isZero();
    }

    @Test
    void farmNodesAndConfiguredPeersAreNeverBlocked() throws Exception {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.9", 5060);
        FloodGuard g = guard(settings(100, 10_000, List.of("127.0.0.9")));

        assertThat(send(g, NODE, 1_000, Duration.ofSeconds(1))).isEqualTo(1_000);
        assertThat(send(g, peer, 1_000, Duration.ofSeconds(1))).isEqualTo(1_000);
        assertThat(g.blocks()).isZero();
    }

    @Test
    void theSourceTableIsBoundedAndForgetsTheLeastRecentlySeen() throws Exception {
        FloodGuard g = guard(settings(100, 100, List.of()));
        send(g, FLOODER, 1_000, Duration.ofSeconds(1));
        for (int i = 0; i < 500; i++) {
            g.admit(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 1, (byte) (i >> 8), (byte) i}),
                    5060));
            // The flooder keeps sending, so it stays among the most recently seen.
            g.admit(FLOODER);
        }

        assertThat(g.trackedSources()).isEqualTo(100);
        assertThat(g.evicted()).isEqualTo(401);
        assertThat(g.isBlocked(FLOODER.getAddress())).isTrue();
    }

    @Test
    void idleSourcesAreForgottenWithoutASweep() throws Exception {
        for (int i = 0; i < 50; i++) {
            guard.admit(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 1, 0, (byte) i}), 5060));
        }
        advance(Duration.ofSeconds(6));
        for (int i = 0; i < 30; i++) {
            guard.admit(CALLER);
        }

        // Each message forgets up to two idle sources from the head: 30 messages, 50 idle sources, all gone.
        assertThat(guard.trackedSources()).isEqualTo(1);
    }

    @Test
    void disabledLetsEverythingThrough() {
        FloodGuard g = guard(new FloodSettings(false, null, null, null, null, null));

        assertThat(send(g, FLOODER, 10_000, Duration.ofSeconds(1))).isEqualTo(10_000);
    }
}
