package io.roundhouse.router.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.transport.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node the router cannot reach at all (TCP connection refused) is probed as a miss, not as a busy node: the
 * router's OPTIONS completes with 408, and the prober marks the node DOWN.
 */
class UnreachableNodesGoDownTest {

    private static final HealthSettings SETTINGS =
            new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2), 3, 2, 3,
                    Duration.ofSeconds(30));

    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedTcpConnectionIsA408AndThreeOfThemTakeTheNodeDown() throws Exception {
        router = Router.start(TestRouters.config(List.of(), Transport.UDP, 1000));
        String uri = "sip:127.0.0.1:" + closedPort() + ";transport=tcp";
        assertThat(router.sendOptions(uri).toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo(408);

        AtomicLong clock = new AtomicLong(1_000_000_000L);
        AtomicReference<CompletionStage<Integer>> sent = new AtomicReference<>();
        AtomicReference<CompletableFuture<Integer>> handed = new AtomicReference<>();
        HealthProber prober = new HealthProber(SETTINGS, () -> Map.of("a", uri), u -> {
            sent.set(router.sendOptions(u));
            handed.set(new CompletableFuture<>());
            return handed.get();
        }, clock::get);
        for (int i = 0; i < 3; i++) {
            prober.tick();
            // The prober learns each answer on this thread, so its state is settled before the next tick and the
            // assertion (waiting on the router's own future raced the prober's handler on the event loop).
            handed.get().complete(sent.get().toCompletableFuture().get(5, TimeUnit.SECONDS));
            clock.addAndGet(SETTINGS.interval().toNanos());
        }
        assertThat(prober.state("a")).isEqualTo(HealthState.DOWN);
    }
}
