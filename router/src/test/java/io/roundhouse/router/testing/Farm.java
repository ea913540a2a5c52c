package io.roundhouse.router.testing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A caller, a farm of nodes (round robin in their order) and the router each test starts between them; registered as an
 * extension, it closes all of them after each test:
 * <pre>{@code
 * @RegisterExtension
 * final Farm farm = Farm.withNodes(2);
 * private final SipTestAgent caller = farm.caller();
 * private final SipTestAgent first = farm.first();
 * private final SipTestAgent second = farm.second().uas(UasBehavior.answer());
 * }</pre>
 * The agents are started with the farm (with the test instance), answering nothing until the test sets their
 * behaviour; the router by the test: with {@link TestRouters}' short timers ({@link #start()},
 * {@link #startFailingOverAfter}), or any config ({@link #start(RouterConfig)}; {@link #config(String...)} is one over
 * the nodes with the default timers). With {@link #timersOnManualClock()} the router's timers run on a
 * {@link ManualScheduler} that only {@link #advance} moves.
 */
public final class Farm implements AfterEachCallback, AutoCloseable {

    private final SipTestAgent caller;
    private final List<SipTestAgent> nodes;
    private final List<String> nodeIds;
    private final List<SipTestAgent> others = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private ManualScheduler clock;
    private Router router;

    private Farm(List<String> nodeIds) {
        List<SipTestAgent> started = new ArrayList<>(nodeIds.size() + 1);
        try {
            for (int i = 0; i <= nodeIds.size(); i++) {
                started.add(SipTestAgent.start());
            }
        } catch (RuntimeException e) {
            started.forEach(SipTestAgent::close); // none left open by a farm that never was
            throw e;
        }
        this.caller = started.get(0);
        this.nodes = List.copyOf(started.subList(1, started.size()));
        this.nodeIds = List.copyOf(nodeIds);
    }

    /** A caller and {@code count} nodes, with the ids {@link TestRouters} gives them: {@code node-1..n}. */
    public static Farm withNodes(int count) {
        return new Farm(IntStream.rangeClosed(1, count).mapToObj(i -> "node-" + i).toList());
    }

    /** A caller and one node for each id (the ids in {@link #config(String...)}). */
    public static Farm withNodes(String... ids) {
        return new Farm(List.of(ids));
    }

    /** The router's timers run on a {@link ManualScheduler}: time moves only by {@link #advance}. */
    public Farm timersOnManualClock() {
        if (router != null) {
            throw new IllegalStateException("the router is already started on its event loop's clock");
        }
        clock = new ManualScheduler();
        return this;
    }

    public SipTestAgent caller() {
        return caller;
    }

    /** The farm's only node. */
    public SipTestAgent node() {
        if (nodes.size() != 1) {
            throw new IllegalStateException("the farm has " + nodes.size() + " nodes, not one");
        }
        return nodes.get(0);
    }

    public SipTestAgent first() {
        return nodes.get(0);
    }

    public SipTestAgent second() {
        return nodes.get(1);
    }

    /** An agent that is no node (e.g. a foreign host the router must not relay to), closed with the farm. */
    public SipTestAgent closeAfterEach(SipTestAgent agent) {
        others.add(agent);
        return agent;
    }

    /** The meter registry the router is started with. */
    public SimpleMeterRegistry registry() {
        return registry;
    }

    /** The router the test started. */
    public Router router() {
        if (router == null) {
            throw new IllegalStateException("no router started yet");
        }
        return router;
    }

    /** Starts the router with {@link TestRouters#config(SipTestAgent...)} over the nodes: failover after 1 s. */
    public Router start() {
        return startFailingOverAfter(Duration.ofSeconds(1));
    }

    /**
     * Starts the router with {@link TestRouters#config(List, Transport, long)} over the nodes on UDP (T1 50 ms, Timer
     * C 10 s, ...): a node that has not answered finally is failed over after {@code failoverTimeout}.
     */
    public Router startFailingOverAfter(Duration failoverTimeout) {
        return start(TestRouters.config(nodes, Transport.UDP, failoverTimeout.toMillis()));
    }

    /** Starts the router on {@code config}, dispatching round robin over its static nodes. */
    public Router start(RouterConfig config) {
        return start(config, new StaticRoundRobinDispatcher(config.nodes()));
    }

    /** Starts the router on {@code config} with {@code dispatcher}, on the farm's clock and meter registry. */
    public Router start(RouterConfig config, Dispatcher dispatcher) {
        if (router != null) {
            throw new IllegalStateException("the router is started once a test");
        }
        router = clock == null ? Router.start(config, dispatcher, registry)
                : Router.start(config, dispatcher, registry, loop -> clock);
        return router;
    }

    /**
     * A config listening on UDP at 127.0.0.1 (a free port) with the default timers (T1 500 ms, so Timer B is 32 s;
     * Timer C 180 s) but for {@code sipSettings}, lines of the {@code sip:} section such as
     * {@code "timers: { failover-timeout: 10s }"}; its nodes are the farm's, in order.
     */
    public RouterConfig config(String... sipSettings) {
        StringBuilder yaml = new StringBuilder("sip:\n  listen: [ \"udp:127.0.0.1:0\" ]\n");
        for (String line : sipSettings) {
            yaml.append("  ").append(line).append('\n');
        }
        yaml.append("nodes:\n");
        for (int i = 0; i < nodes.size(); i++) {
            yaml.append("  - { id: ").append(nodeIds.get(i)).append(", uri: \"").append(nodes.get(i).uri(Transport.UDP))
                    .append("\" }\n");
        }
        return RouterConfig.parse(yaml.toString());
    }

    /** The router's manual clock ({@link #timersOnManualClock()}). */
    public ManualScheduler clock() {
        if (clock == null) {
            throw new IllegalStateException("the farm's router runs on its event loop's clock, not a manual one");
        }
        return clock;
    }

    /** Moves the router's manual clock by {@code d}, on its event loop, where its timers run. */
    public void advance(Duration d) throws InterruptedException {
        ManualScheduler c = clock();
        router().runOnEventLoop(() -> c.advance(d));
    }

    /** Where the router listens (UDP and TCP). */
    public InetSocketAddress routerAddress() {
        return new InetSocketAddress("127.0.0.1", router().port());
    }

    /** The Request-URI of a call to the farm: {@code sip:1000@} the router. */
    public String callUri() {
        return "sip:1000@127.0.0.1:" + router().port();
    }

    /** The caller sends a new INVITE to {@link #callUri()} over UDP; returns it, e.g. for its CANCEL. */
    public RequestBuilder invite() {
        RequestBuilder invite = caller.request("INVITE", callUri());
        caller.send(invite.build(), routerAddress(), Transport.UDP);
        return invite;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Closes the router, if started, then the caller, the nodes and the other agents, each even if one fails. */
    @Override
    public void close() {
        List<AutoCloseable> all = new ArrayList<>();
        if (router != null) {
            all.add(router);
        }
        all.add(caller);
        all.addAll(nodes);
        all.addAll(others);
        RuntimeException failure = null;
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the farm failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
