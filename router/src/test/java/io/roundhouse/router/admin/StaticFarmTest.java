package io.roundhouse.router.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.health.HealthProber;
import io.roundhouse.router.health.HealthSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A router without services: reports its static nodes with their OPTIONS health, and has nothing to steer. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class StaticFarmTest {

    static final HealthSettings PROBING = new HealthSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(2), 2, 2,
            3, Duration.ofSeconds(30));

    @Test
    void staticNodesShowTheirProbeResultsAndAreDownWhenProbingSaysSo() {
        List<StaticNode> nodes = List.of(new StaticNode("a", "sip:127.0.0.1:5081", 3),
                new StaticNode("b", "sip:127.0.0.1:5082", 1));
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        HealthProber prober = new HealthProber(PROBING, () -> Map.of("a", "sip:127.0.0.1:5081", "b",
                "sip:127.0.0.1:5082"), uri -> CompletableFuture.completedFuture(uri.endsWith("5081") ? 200 : 408),
                clock::get);
        for (int i = 0; i < 2; i++) {
            prober.tick();
            clock.addAndGet(Duration.ofSeconds(5).toNanos());
        }
        StaticFarm farm = new StaticFarm(() -> nodes, prober, () -> 1_764_096_000_000L);

        NodeReport a = farm.nodes().get(0);
        assertThat(a.state()).isEqualTo("ready");
        assertThat(a.health()).isEqualTo("up");
        assertThat(a.probeGoods()).isEqualTo(2);
        assertThat(a.weight()).isEqualTo(3);
        // The second probe ended at once (5 s ago by the prober's clock), dated by the wall clock.
        assertThat(a.lastProbe()).isEqualTo(new NodeReport.LastProbe("2025-11-25T18:39:55Z", 5.0, "ok", 200, 0.0,
                "status 200"));
        NodeReport b = farm.nodes().get(1);
        assertThat(b.state()).isEqualTo("down");
        assertThat(b.probeMisses()).isEqualTo(2);
        assertThat(b.lastProbe().result()).isEqualTo("missed");
        assertThat(b.lastProbe().status()).isEqualTo(408);
        assertThat(farm.redis()).isEqualTo("off");
        assertThatThrownBy(() -> farm.control("a", NodeAction.DRAIN)).isInstanceOf(AdminException.class)
                .hasMessageContaining("static round robin");
    }
}
