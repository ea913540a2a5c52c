package io.roundhouse.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.DecisionLog;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.LiveDispatcher;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.dispatch.view.Eligibility;
import io.roundhouse.router.dispatch.view.LocalFullMarks;
import io.roundhouse.router.dispatch.view.NodeViewBuilder;
import io.roundhouse.router.dispatch.view.NodeViewSource;
import io.roundhouse.router.dispatch.view.PlacementCache;
import io.roundhouse.router.dispatch.view.RedisStatus;
import io.roundhouse.router.dispatch.view.StaticNode;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.services.HashKey;
import io.roundhouse.router.services.ServiceRule;
import io.roundhouse.router.services.ServiceRules;
import io.roundhouse.router.services.StrategyKind;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStates;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.Placements;
import io.roundhouse.shared.state.ServiceMarks;
import io.roundhouse.shared.text.Template;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The scale of one dispatch decision (issue 15): {@link LiveDispatcher#select} then {@code completed}, on the event
 * loop's in-memory view alone, at 10, 100 and 1,000 nodes, with 100,000 rooms placed. Redis is known to be down, so
 * nothing on the measured path leaves the process (what a plain call does anyway: 0 round trips). Run with
 * {@code java -jar bench/jmh/target/benchmarks.jar DispatchSelectBenchmark}; figures in docs/performance.md.
 *
 * <p>With {@code agents=true} every node also has its agent's state in the view (varied channels and CPU, the
 * services' applications, its share of the placed rooms), as in a farm of agents; with {@code false} the nodes are
 * static nodes without agents (every least-loaded score 0.5: all ties).
 *
 * <ul>
 *   <li>{@code newCall}: a call of a service without affinity, ranked by the {@code strategy} parameter over every
 *       node of the farm.</li>
 *   <li>{@code joinPlacedRoom}: a join to one of the 100,000 placed rooms: placement lookup, then the room's node.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// The per-call decision line is written off the event loop by the dispatch-decisions thread; on 2 loaded cores that
// thread's console output would only add noise, so the line is off (the decision is still counted on the path).
@Fork(value = 1, jvmArgsAppend = "-DROUTER_LOG_LEVEL=WARN")
public class DispatchSelectBenchmark {

    static final int PLACED_ROOMS = 100_000;

    @Param({"10", "100", "1000"})
    int nodes;

    @Param({"least-loaded", "round-robin", "weighted", "hash", "priority"})
    String strategy;

    @Param({"false", "true"})
    boolean agents;

    private LiveDispatcher dispatcher;
    private final DispatchTarget anyTarget = new DispatchTarget("n0", "sip:127.0.0.1:10000", Map.of());
    private long seq;

    @Setup
    public void farm() {
        List<StaticNode> statics = new ArrayList<>(nodes);
        for (int i = 0; i < nodes; i++) {
            statics.add(new StaticNode("n" + i, "sip:127.0.0.1:" + (10_000 + i), 1));
        }
        RedisStatus redis = new RedisStatus();
        redis.failed("benchmark without Redis", new IllegalStateException("no Redis on the measured path"));
        PlacementCache cache = new PlacementCache();
        Map<String, String> placed = new HashMap<>();
        for (int r = 0; r < PLACED_ROOMS; r++) {
            placed.put("example.com:" + r, "n" + (r % nodes));
        }
        cache.replaceAll(placed, cache.beginFullRead());
        NodeViewSource view;
        if (agents) {
            List<NodeState> states = agentStates(statics, placed);
            view = new NodeViewSource(new NodeViewBuilder(statics), new FixedNodeStates(states), new NoMarks(),
                    new FixedPlacements(placed), null, cache, redis, Duration.ofSeconds(1), Duration.ofSeconds(10),
                    System::currentTimeMillis);
            view.refresh(); // one read of the stand-ins, as the view thread would read Redis
            redis.failed("benchmark without Redis", new IllegalStateException("no Redis on the measured path"));
            if (view.current().nodes().stream().anyMatch(n -> n.agent().isEmpty())) {
                throw new IllegalStateException("a node without agent state");
            }
        } else {
            view = new NodeViewSource(new NodeViewBuilder(statics), null, null, null, null, cache, redis,
                    Duration.ofSeconds(1), Duration.ofSeconds(10), System::currentTimeMillis);
        }
        if (view.current().nodes().size() != nodes) {
            throw new IllegalStateException("view holds " + view.current().nodes().size() + " nodes, not " + nodes);
        }
        Set<String> ids = new java.util.HashSet<>();
        statics.forEach(s -> ids.add(s.id()));
        FarmHealth health = FarmHealth.unprobed(() -> ids, System::nanoTime);
        LocalFullMarks marks = new LocalFullMarks(System::nanoTime);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StrategyKind kind = StrategyKind.valueOf(strategy.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        dispatcher = new LiveDispatcher(new ServiceRules(List.of(conference(), plain(kind))), view, health,
                new Eligibility(false, health, marks), marks, null, null, Runnable::run, DispatchSettings.DEFAULTS,
                new DecisionLog(registry, null), registry, System::nanoTime, System::currentTimeMillis);
        // Fail at setup, not with a misleading number, when a path does not decide what it should.
        if (newCall() == null || joinPlacedRoom() == null) {
            throw new IllegalStateException("no node selected");
        }
    }

    /** Each node's agent state: loads spread over 0..50% of 200 channels and 0..80% CPU; its placed rooms live. */
    private static List<NodeState> agentStates(List<StaticNode> statics, Map<String, String> placed) {
        Map<String, Map<String, Integer>> rooms = new HashMap<>();
        placed.forEach((room, node) -> rooms.computeIfAbsent(node, n -> new HashMap<>()).put(room, 1 + room.length() % 5));
        java.util.Random random = new java.util.Random(15);
        List<NodeState> states = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (StaticNode s : statics) {
            states.add(new NodeState(s.id(), s.sipUri(), NodeStatus.ACTIVE, random.nextInt(100), 200,
                    random.nextInt(800) / 10.0, rooms.getOrDefault(s.id(), Map.of()), Set.of("Conference", "Default"),
                    Set.of("conference", "default"), "22.10.1", "bench", now));
        }
        return states;
    }

    private record FixedNodeStates(List<NodeState> states) implements NodeStates {
        public void publish(NodeState state, Duration ttl) {
            throw new UnsupportedOperationException();
        }

        public Optional<NodeState> read(String nodeId) {
            return states.stream().filter(s -> s.id().equals(nodeId)).findFirst();
        }

        public List<NodeState> readAll() {
            return states;
        }

        public void remove(String nodeId) {
            throw new UnsupportedOperationException();
        }
    }

    private static final class NoMarks implements ServiceMarks {
        public void markFull(String nodeId, String service, Duration duration) {
            throw new UnsupportedOperationException();
        }

        public Set<String> fullServices(String nodeId) {
            return Set.of();
        }

        public Map<String, Set<String>> readAll() {
            return Map.of();
        }
    }

    private record FixedPlacements(Map<String, String> placed) implements Placements {
        public Optional<String> lookup(String key) {
            return Optional.ofNullable(placed.get(key));
        }

        public Claim claim(String key, String nodeId) {
            throw new UnsupportedOperationException();
        }

        public Move move(String key, String fromNodeId, String toNodeId) {
            throw new UnsupportedOperationException();
        }

        public boolean release(String key, String nodeId) {
            throw new UnsupportedOperationException();
        }

        public Map<String, String> readAll() {
            return placed;
        }
    }

    private static ServiceRule conference() {
        Set<String> known = new java.util.HashSet<>(ServiceRule.BUILT_INS);
        known.add("room");
        return new ServiceRule("conference", Pattern.compile("^conf-(?<room>[0-9]+)$"), null, Map.of(),
                List.of("room"), "Conference", Template.compile("app-data", "${room}", known),
                Optional.of(Template.compile("affinity", "${ruri-host}:${room}", known)), List.of(),
                StrategyKind.LEAST_LOADED, HashKey.CALL_ID);
    }

    private static ServiceRule plain(StrategyKind kind) {
        return new ServiceRule("default", Pattern.compile("^[0-9]+$"), null, Map.of(), List.of(), "Default",
                Template.compile("app-data", "", ServiceRule.BUILT_INS), Optional.empty(), List.of(), kind,
                HashKey.CALL_ID);
    }

    /** A new call of the plain service: every node is a candidate. */
    @Benchmark
    public DispatchTarget newCall() {
        long n = seq++;
        return decide(new Call("c" + n, Long.toString(1000 + (n & 0xfff))));
    }

    /** A join to a placed room (never placed anew: Redis is down, and the room's node is eligible). */
    @Benchmark
    public DispatchTarget joinPlacedRoom() {
        long n = seq++;
        return decide(new Call("j" + n, "conf-" + (n % PLACED_ROOMS)));
    }

    private DispatchTarget decide(Call call) {
        DispatchTarget t = dispatcher.select(call).toCompletableFuture().getNow(Optional.empty()).orElse(null);
        dispatcher.completed(call, t == null ? anyTarget : t, 200);
        return t;
    }

    /** An out-of-dialog INVITE as the proxy presents it to the dispatcher. */
    private record Call(String callId, String requestUriUser) implements CallContext {
        private static final InetSocketAddress SOURCE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 5060);

        public String method() {
            return "INVITE";
        }

        public String requestUri() {
            return "sip:" + requestUriUser + "@example.com";
        }

        public String requestUriHost() {
            return "example.com";
        }

        public String fromUser() {
            return "alice";
        }

        public String toUser() {
            return requestUriUser;
        }

        public List<String> headerValues(String name) {
            return List.of();
        }

        public InetSocketAddress source() {
            return SOURCE;
        }
    }
}
