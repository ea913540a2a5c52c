package io.roundhouse.router.dispatch.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.shared.testing.TestRedis;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12: placements of a node that never comes back were never released (only its own agent releases them). A
 * router releases those of a node absent from its view for {@code dispatch.placement-reclaim-after}, and no others:
 * real Redis, the view's wall clock injected.
 */
@Timeout(60)
class PlacementsOfANodeGoneForGoodAreReclaimedTest {

    static final Duration RECLAIM_AFTER = Duration.ofSeconds(60);
    static final Duration TTL = Duration.ofMinutes(10);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    final AtomicLong wallClock = new AtomicLong(1_764_000_000_000L);
    NodeViewSource view;

    @AfterEach
    void close() {
        if (view != null) {
            view.close();
        }
    }

    static NodeState agent(String id, int port) {
        return new NodeState(id, "sip:127.0.0.1:" + port, NodeStatus.ACTIVE, 0, 100, 0, Map.of(),
                Set.of("Conference"), Set.of("conference"), "22.10.1", "test", 1);
    }

    NodeViewSource view(RedisState state, Duration reclaimAfter) {
        view = new NodeViewSource(new NodeViewBuilder(List.of(new StaticNode("static-1", "sip:127.0.0.1:5071", 1))),
                state.nodes(), state.marks(), state.placements(), null, new PlacementCache(), new RedisStatus(),
                Duration.ofSeconds(1), Duration.ofSeconds(10), wallClock::get, null, reclaimAfter);
        return view;
    }

    void advance(Duration d) {
        wallClock.addAndGet(d.toMillis());
    }

    @Test
    void aNodeAbsentForTheBoundHasItsPlacementsReleasedAndNoOtherNodeDoes() {
        RedisState state = redis.open();
        state.nodes().publish(agent("gone", 5081), TTL);
        state.nodes().publish(agent("back", 5082), TTL);
        state.placements().claim("example.com:1", "gone");
        state.placements().claim("example.com:2", "gone");
        state.placements().claim("example.com:3", "back");
        state.placements().claim("example.com:4", "static-1"); // a static node without agent: never absent
        NodeViewSource v = view(state, RECLAIM_AFTER);
        v.refresh();

        state.nodes().remove("gone"); // its heartbeat key is gone (as when its TTL ends)
        state.nodes().remove("back");
        v.refresh();
        advance(Duration.ofSeconds(30));
        state.nodes().publish(agent("back", 5082), TTL); // back within the bound: the count starts again
        v.refresh();
        state.nodes().remove("back");
        advance(Duration.ofSeconds(29));
        v.refresh();
        assertThat(state.placements().readAll()).as("59 s: nothing released yet").hasSize(4);

        advance(Duration.ofSeconds(1));
        v.refresh();
        assertThat(state.placements().readAll()).containsOnly(Map.entry("example.com:3", "back"),
                Map.entry("example.com:4", "static-1"));
        assertThat(v.placements().lookup("example.com:1")).as("the router's cache too").isEmpty();

        advance(Duration.ofSeconds(59));
        v.refresh();
        assertThat(state.placements().readAll()).as("back: 60 s since it left again")
                .containsOnly(Map.entry("example.com:4", "static-1"));
    }

    @Test
    void aRouterThatStartsWaitsTheWholeBoundAndZeroTurnsItOff() {
        RedisState state = redis.open();
        state.placements().claim("example.com:1", "gone-before-start");
        NodeViewSource off = view(state, Duration.ZERO);
        off.refresh();
        advance(Duration.ofHours(1));
        off.refresh();
        assertThat(state.placements().readAll()).hasSize(1);
        off.close();

        NodeViewSource v = view(state, RECLAIM_AFTER);
        v.refresh();
        assertThat(state.placements().readAll()).as("absent since this router's first look").hasSize(1);
        advance(RECLAIM_AFTER);
        v.refresh();
        assertThat(state.placements().readAll()).isEmpty();
    }

    @Test
    void thousandsGoAThousandPerRefreshAndAPlacementMovedMeanwhileIsLeftAlone() {
        RedisState state = redis.open();
        for (int i = 0; i < 1_500; i++) {
            state.placements().claim("example.com:" + i, "gone");
        }
        NodeViewSource v = view(state, RECLAIM_AFTER);
        v.refresh();
        advance(RECLAIM_AFTER);
        // Another router has moved one room to a live node meanwhile: that placement is no longer this node's.
        state.placements().move("example.com:0", "gone", "static-1");
        v.refresh();
        int after = state.placements().readAll().size();
        assertThat(after).as("at most %d releases per refresh", NodeViewSource.MAX_RECLAIMS_PER_REFRESH)
                .isGreaterThanOrEqualTo(1_500 - NodeViewSource.MAX_RECLAIMS_PER_REFRESH);
        v.refresh();
        assertThat(state.placements().readAll()).containsOnly(Map.entry("example.com:0", "static-1"));
    }
}
