package io.roundhouse.sim.demo;

import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import io.roundhouse.shared.state.RedisState;
import io.roundhouse.sim.farm.SimulatedAsterisk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The demo's script: rooms joined from two directions, ordinary calls of the weighted, priority and least-loaded
 * services, a node pushed past its new-room threshold so that a new room is bounced and redispatched, and a node
 * drained and undrained through {@code rh:control:<node>}. Every call is checked: a call that does not end in 200, a
 * room whose callers reached two nodes, or a new call on a draining node is a failure.
 */
final class Scenario {

    private static final Duration ANSWER = Duration.ofSeconds(10);
    private static final Duration STATE = Duration.ofSeconds(15);
    /** JVMs starting on a busy machine: the agents publish within seconds, rarely more. */
    private static final Duration START = Duration.ofSeconds(60);

    private final Caller east;
    private final Caller west;
    private final Caller side;
    private final RedisState redis;
    private final List<SimulatedAsterisk> nodes;
    private final FarmTable table;
    private final Runnable show;
    private final List<String> failures = new ArrayList<>();
    /** Room number to the nodes its callers reached. */
    private final Map<String, Set<String>> roomNodes = new LinkedHashMap<>();
    private final List<Caller.Call> held = new ArrayList<>();
    private int calls;
    private int room = 1000;

    Scenario(Caller east, Caller west, Caller side, RedisState redis, List<SimulatedAsterisk> nodes, FarmTable table,
             Runnable show) {
        this.east = east;
        this.west = west;
        this.side = side;
        this.redis = redis;
        this.nodes = nodes;
        this.table = table;
        this.show = show;
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    int calls() {
        return calls;
    }

    /** The whole script; {@code ordinary} calls of the three plain services. */
    void run(int ordinary) {
        waitForFarm();
        rooms();
        ordinaryCalls(ordinary);
        bounce();
        drain();
        hangUpAll();
        step("done: " + calls + " calls, " + failures.size() + " failure(s)");
        show.run();
    }

    private void waitForFarm() {
        step("waiting for the three agents to publish their nodes (apps Conference, Echo)");
        show.run();
        boolean ready = until(START, () -> nodes.stream().allMatch(n -> state(n.id())
                .filter(s -> s.apps().containsAll(Set.of("Conference", "Echo")) && s.status() == NodeStatus.ACTIVE
                        && s.accepting().contains("Conference")).isPresent()));
        if (!ready) {
            List<String> seen = nodes.stream().map(n -> state(n.id()).map(st -> st.id() + " " + st.status().wireName()
                    + " apps " + st.apps() + " accepting " + st.accepting() + " cpu " + st.cpuPercent())
                    .orElse(n.id() + " not published")).toList();
            // An agent admits new calls only below its max-cpu: on a saturated host (every node of the demo shares
            // it) it accepts nothing, as it would in production.
            failures.add("the agents did not publish three ready nodes within " + START.toSeconds() + " s: " + seen);
            throw new IllegalStateException(failures.get(0));
        }
        pause(Duration.ofSeconds(1)); // one router refresh (500 ms) and a health probe
    }

    /** Three rooms, each joined by four callers at once, two from each direction. */
    private void rooms() {
        step("rooms: 3 conference rooms, 4 callers each, east and west at once (affinity keeps each on one node)");
        for (int i = 0; i < 3; i++) {
            String number = Integer.toString(++room);
            List<Caller.Call> joins = List.of(east.invite("conf-" + number), west.invite("conf-" + number),
                    east.invite("conf-" + number), west.invite("conf-" + number));
            for (Caller.Call call : joins) {
                expectAnswered(call, "conf-" + number);
                roomNodes.computeIfAbsent(number, k -> new LinkedHashSet<>()).add(nodeOf(call));
                held.add(call);
            }
        }
        checkRooms();
        show.run();
    }

    /** The plain services: 3xxx weighted 3:2:1, 2xxx priority (asterisk-3 then asterisk-1), others least-loaded. */
    private void ordinaryCalls(int count) {
        step("calls: " + count + " ordinary calls (sales 3xxx weighted, support 2xxx priority, others least-loaded)");
        String[] users = {"3001", "2001", "5001"};
        List<Caller.Call> placed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Caller caller = i % 2 == 0 ? east : west;
            placed.add(caller.invite(users[i % users.length]));
        }
        Map<String, Integer> byNode = new LinkedHashMap<>();
        for (Caller.Call call : placed) {
            expectAnswered(call, call.user);
            byNode.merge(call.user + "->" + nodeOf(call), 1, Integer::sum);
        }
        step("  answered by: " + byNode);
        show.run();
        placed.forEach(this::hangUp);
    }

    /**
     * Side traffic (calls another router or a trunk sends) fills asterisk-3 up to its new-room threshold while its
     * agent has not published it yet; three new rooms at once: least-loaded takes turns, so one goes to asterisk-3,
     * whose agent bounces it (503, cause 34) and the router redispatches it.
     */
    private void bounce() {
        hangUpAll();
        step("bounce: all calls ended; waiting for the nodes to publish 0 channels");
        until(STATE, () -> nodes.stream().allMatch(n -> state(n.id()).map(s -> s.channels() == 0).orElse(false)));
        pause(Duration.ofMillis(2500)); // asterisk-3 publishes every 2 s: let its idle state reach the router
        SimulatedAsterisk slow = node(DemoConfigs.SLOW_NODE);
        long bouncedBefore = slow.node().view().bounced();
        step("bounce: " + DemoConfigs.SLOW_NODE_NEW_ROOM_MAX_CHANNELS + " side calls straight to "
                + DemoConfigs.SLOW_NODE + " (its new-room threshold), then 3 new rooms at once through the router");
        List<Caller.Call> sideCalls = new ArrayList<>();
        for (int i = 0; i < DemoConfigs.SLOW_NODE_NEW_ROOM_MAX_CHANNELS; i++) {
            sideCalls.add(side.invite("7" + (100 + i), List.<String[]>of(new String[] {"X-Exec-App", "Echo"})));
        }
        for (Caller.Call call : sideCalls) {
            expectAnswered(call, "side call " + call.user);
            held.add(call);
        }
        List<Caller.Call> newRooms = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String number = Integer.toString(++room);
            newRooms.add((i % 2 == 0 ? east : west).invite("conf-" + number));
        }
        for (Caller.Call call : newRooms) {
            expectAnswered(call, call.user);
            roomNodes.computeIfAbsent(call.user.substring(5), k -> new LinkedHashSet<>()).add(nodeOf(call));
            held.add(call);
        }
        long bounced = slow.node().view().bounced() - bouncedBefore;
        step("  " + DemoConfigs.SLOW_NODE + " bounced " + bounced + " new room(s); every caller got 200 (redispatched)");
        if (bounced == 0) {
            step("  (no bounce this time: the router saw " + DemoConfigs.SLOW_NODE + "'s load before the rooms came)");
        }
        checkRooms();
        show.run();
    }

    /** A room on some node; that node drained: joins to its room still go there, new calls do not; then undrained. */
    private void drain() {
        String number = Integer.toString(++room);
        Caller.Call first = east.invite("conf-" + number);
        expectAnswered(first, "conf-" + number);
        held.add(first);
        String drained = nodeOf(first);
        roomNodes.computeIfAbsent(number, k -> new LinkedHashSet<>()).add(drained);
        step("drain: SET " + redis.settings().keyPrefix() + "control:" + drained + " draining (room " + number
                + " lives there)");
        redis.controls().set(drained, NodeStatus.DRAINING);
        boolean seen = until(STATE, () -> state(drained).map(s -> s.status() == NodeStatus.DRAINING).orElse(false));
        if (!seen) {
            failures.add(drained + " was not published as draining within " + STATE.toSeconds() + " s");
        }
        pause(Duration.ofSeconds(1)); // routers re-read the node on its event; one refresh more for certainty
        show.run();
        Caller.Call join = west.invite("conf-" + number);
        expectAnswered(join, "join to room " + number);
        held.add(join);
        roomNodes.get(number).add(nodeOf(join));
        List<Caller.Call> fresh = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            fresh.add((i % 2 == 0 ? east : west).invite(i == 3 ? "conf-" + (++room) : "5" + (100 + i)));
        }
        for (Caller.Call call : fresh) {
            expectAnswered(call, call.user);
            held.add(call);
            if (call.status() == 200 && nodeOf(call).equals(drained)) {
                failures.add("new call " + call.user + " went to draining node " + drained);
            }
        }
        step("  join to room " + number + " -> " + nodeOf(join) + "; 4 new calls -> "
                + fresh.stream().map(this::nodeOf).toList());
        checkRooms();
        show.run();
        step("drain: DEL " + redis.settings().keyPrefix() + "control:" + drained + " (undrained)");
        redis.controls().clear(drained);
        if (!until(STATE, () -> state(drained).map(s -> s.status() == NodeStatus.ACTIVE).orElse(false))) {
            failures.add(drained + " was not published active again within " + STATE.toSeconds() + " s");
        }
        show.run();
    }

    private void hangUpAll() {
        held.forEach(this::hangUp);
        held.clear();
    }

    private void hangUp(Caller.Call call) {
        if (call.status() != 200) {
            return;
        }
        Caller caller = call.callId.startsWith(east.name()) ? east : call.callId.startsWith(west.name()) ? west : side;
        if (!caller.hangUp(call, ANSWER)) {
            failures.add("BYE of " + call.user + " (" + call.callId + ") not answered 200");
        }
    }

    private void expectAnswered(Caller.Call call, String what) {
        calls++;
        Caller caller = call.callId.startsWith(east.name()) ? east : call.callId.startsWith(west.name()) ? west : side;
        int status = caller.await(call, ANSWER);
        if (status != 200) {
            failures.add(what + ": " + (status == 0 ? "no answer" : status) + " (Call-ID " + call.callId + ")");
        }
    }

    private void checkRooms() {
        roomNodes.forEach((number, reached) -> {
            reached.remove("");
            if (reached.size() > 1) {
                String failure = "room " + number + " split over " + reached;
                if (!failures.contains(failure)) {
                    failures.add(failure);
                }
            }
        });
    }

    private String nodeOf(Caller.Call call) {
        String address = call.answeredBy();
        for (SimulatedAsterisk n : nodes) {
            if (n.node().sipUri().equals("sip:" + address)) {
                return n.id();
            }
        }
        return "";
    }

    private SimulatedAsterisk node(String id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
    }

    private Optional<NodeState> state(String nodeId) {
        try {
            return redis.nodes().read(nodeId);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private void step(String line) {
        table.step(line);
    }

    private static boolean until(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            pause(Duration.ofMillis(100));
        }
        return condition.getAsBoolean();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("demo interrupted", e);
        }
    }
}
