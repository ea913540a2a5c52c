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
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A caller, a farm of two nodes ({@link #first()} and {@link #second()}, round robin starting with the first) and the
 * router each test starts between them; registered as an extension, it closes all of them after each test:
 * <pre>{@code
 * @RegisterExtension
 * final TwoNodeFarm farm = TwoNodeFarm.builder().second(UasBehavior.answer()).build();
 * }</pre>
 * The agents are started when the farm is built (with the test instance); the router by the test, once it has set the
 * nodes' behaviour: with {@link TestRouters}' short timers ({@link #startFailingOverAfter}), or any config
 * ({@link #start(RouterConfig)}; {@link #config(String...)} is one over the two nodes with the default timers). With
 * {@link Builder#timersOnManualClock()} the router's timers run on a {@link ManualScheduler} that only
 * {@link #advance} moves.
 */
public final class TwoNodeFarm implements AfterEachCallback, AutoCloseable {

    private final SipTestAgent caller;
    private final SipTestAgent first;
    private final SipTestAgent second;
    private final String firstId;
    private final String secondId;
    private final ManualScheduler clock;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private Router router;

    private TwoNodeFarm(Builder b) {
        List<SipTestAgent> started = new ArrayList<>(3);
        try {
            started.add(SipTestAgent.start());
            started.add(SipTestAgent.start().uas(b.first));
            started.add(SipTestAgent.start().uas(b.second));
        } catch (RuntimeException e) {
            started.forEach(SipTestAgent::close); // none left open by a farm that never was
            throw e;
        }
        this.caller = started.get(0);
        this.first = started.get(1);
        this.second = started.get(2);
        this.firstId = b.firstId;
        this.secondId = b.secondId;
        this.clock = b.manualClock ? new ManualScheduler() : null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What differs between the tests that use a farm: the nodes' behaviour and ids, and the router's clock. */
    public static final class Builder {
        private UasBehavior first;
        private UasBehavior second;
        private String firstId = "first";
        private String secondId = "second";
        private boolean manualClock;

        private Builder() {
        }

        /** How the first node answers from the start (by default it answers nothing, it only records). */
        public Builder first(UasBehavior behavior) {
            this.first = behavior;
            return this;
        }

        /** How the second node answers from the start (by default it answers nothing, it only records). */
        public Builder second(UasBehavior behavior) {
            this.second = behavior;
            return this;
        }

        /** The nodes' ids in {@link TwoNodeFarm#config(String...)} (by default {@code first} and {@code second}). */
        public Builder nodeIds(String firstNode, String secondNode) {
            this.firstId = firstNode;
            this.secondId = secondNode;
            return this;
        }

        /** The router's timers run on a {@link ManualScheduler}: time moves only by {@link TwoNodeFarm#advance}. */
        public Builder timersOnManualClock() {
            this.manualClock = true;
            return this;
        }

        /** Starts the caller and the two nodes. */
        public TwoNodeFarm build() {
            return new TwoNodeFarm(this);
        }
    }

    public SipTestAgent caller() {
        return caller;
    }

    public SipTestAgent first() {
        return first;
    }

    public SipTestAgent second() {
        return second;
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

    /**
     * Starts the router with {@link TestRouters#config(List, Transport, long)} over both nodes on UDP (T1 50 ms, Timer
     * C 10 s, ...): a node that has not answered finally is failed over after {@code failoverTimeout}.
     */
    public Router startFailingOverAfter(Duration failoverTimeout) {
        return start(TestRouters.config(List.of(first, second), Transport.UDP, failoverTimeout.toMillis()));
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
     * {@code "timers: { failover-timeout: 10s }"}; its nodes are the first and the second, in that order.
     */
    public RouterConfig config(String... sipSettings) {
        StringBuilder yaml = new StringBuilder("sip:\n  listen: [ \"udp:127.0.0.1:0\" ]\n");
        for (String line : sipSettings) {
            yaml.append("  ").append(line).append('\n');
        }
        yaml.append("nodes:\n");
        yaml.append("  - { id: ").append(firstId).append(", uri: \"").append(first.uri(Transport.UDP)).append("\" }\n");
        yaml.append("  - { id: ").append(secondId).append(", uri: \"").append(second.uri(Transport.UDP))
                .append("\" }\n");
        return RouterConfig.parse(yaml.toString());
    }

    /** The router's manual clock ({@link Builder#timersOnManualClock()}). */
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

    /** Closes the router, if started, then the caller and the nodes; each is closed even if one before it fails. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (AutoCloseable c : router == null ? List.<AutoCloseable>of(caller, first, second)
                : List.<AutoCloseable>of(router, caller, first, second)) {
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
