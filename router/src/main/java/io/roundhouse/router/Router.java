package io.roundhouse.router;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.flood.FloodGuard;
import io.roundhouse.router.overload.OverloadGuard;
import io.roundhouse.router.proxy.LocalAddresses;
import io.roundhouse.router.proxy.ProxyCore;
import io.roundhouse.router.proxy.ProxyMetrics;
import io.roundhouse.router.proxy.RouteSigner;
import io.roundhouse.router.transaction.EventLoopScheduler;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.NettyTransports;
import io.roundhouse.router.transport.SipTransportLayer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running SIP router: sockets, transactions and proxy core on one Netty event loop (epoll when available).
 * {@link #start} binds every listen address before returning; {@link #close} stops it.
 */
public final class Router implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final EventLoopGroup group;
    /** The door's (null when not configured). */
    private final EventLoopGroup doorGroup;
    private final SipTransportLayer transport;
    private final ProxyCore core;
    private final TransactionTable table;
    private final ProxyMetrics metrics;
    private final ExecutorService resolver;
    private final List<ListenPoint> points;
    private final OverloadGuard overload;
    /** How often {@link #drain} looks at the transactions in progress. */
    private static final Duration DRAIN_POLL = Duration.ofMillis(50);

    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Router(EventLoopGroup group, EventLoopGroup doorGroup, SipTransportLayer transport, ProxyCore core,
                   TransactionTable table, ProxyMetrics metrics, ExecutorService resolver, List<ListenPoint> points,
                   OverloadGuard overload) {
        this.group = group;
        this.doorGroup = doorGroup;
        this.transport = transport;
        this.core = core;
        this.table = table;
        this.metrics = metrics;
        this.resolver = resolver;
        this.points = points;
        this.overload = overload;
    }

    /** Starts a router dispatching round robin over the config's static nodes, with its own meter registry. */
    public static Router start(RouterConfig config) {
        return start(config, new StaticRoundRobinDispatcher(config.nodes()), new SimpleMeterRegistry());
    }

    /** Starts a router with the given dispatcher and meter registry; timers run on the event loop's clock. */
    public static Router start(RouterConfig config, Dispatcher dispatcher, MeterRegistry registry) {
        return start(config, dispatcher, registry, EventLoopScheduler::new);
    }

    /**
     * Starts a router whose timers (the transactions', the proxy's failover timeout, Timer C and CANCEL guard, the
     * overload guard's sampling) run on the scheduler {@code timers} makes for its event loop. Tests pass a manual
     * scheduler and move its time inside {@link #runOnEventLoop}, so that timers are tested without sleeping.
     */
    public static Router start(RouterConfig config, Dispatcher dispatcher, MeterRegistry registry,
                               Function<EventLoop, SipScheduler> timers) {
        RouteSigner signer = RouteSigner.load(config.routeSecretFile(), System.getenv()); // before anything to close
        NettyTransports netty = NettyTransports.best();
        // One event loop: every transaction, timer and socket of the router lives on it, so no state is shared
        // between threads (see docs/decisions.md, "Router: SIP engine").
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sip", true),
                netty.ioHandlerFactory());
        EventLoop loop = group.next();
        // The door: a thread that reads the ports for new calls and sheds there, beside the loop (docs/security.md,
        // "A port for new calls"). Netty starts its thread at the first port bound to it: none without such ports.
        EventLoopGroup doorGroup = config.overload().door(Runtime.getRuntime().availableProcessors())
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sip-door", true),
                        netty.ioHandlerFactory())
                : null;
        // Bounded: a flood of requests naming hosts must not queue without end; when full, ProxyCore answers 503.
        ExecutorService resolver = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(ProxyCore.RESOLVER_QUEUE),
                new DefaultThreadFactory("sip-dns", true));
        SipScheduler scheduler = timers.apply(loop);
        InboundRelay relay = new InboundRelay();
        // Nodes (as the dispatcher knows them) and configured peers are never blocked for flooding.
        FloodGuard flood = new FloodGuard(config.flood(), dispatcher::isFromNode, System::nanoTime);
        flood.bindTo(registry);
        // A new call may wait at the door for the loop until half of T1: answered by then, it is never retransmitted.
        Duration doorHold = config.timers().t1().dividedBy(2);
        SipTransportLayer transport = new SipTransportLayer(loop, doorGroup == null ? null : doorGroup.next(),
                doorHold, netty, config.maxMessageSize(), flood, config.connections(),
                config.tls(), config.sip().webSocket(), relay);
        transport.bindTo(registry);
        TransactionTable table = new TransactionTable(scheduler, config.timers(), transport);
        ProxyMetrics metrics = new ProxyMetrics(registry, table);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        // Read on the loop's own thread (the guard samples there): the loop's CPU time, or 0 where unsupported. The
        // scheduler's clock, as the timers': with a test's manual scheduler the guard's window is the test's time.
        OverloadGuard overload = new OverloadGuard(config.overload(), scheduler::nanoTime, () -> queuedTasks(loop),
                threads.isCurrentThreadCpuTimeSupported() ? threads::getCurrentThreadCpuTime : () -> 0L);
        ProxyCore core = new ProxyCore(loop, table, config, dispatcher, metrics, scheduler, transport, resolver,
                signer, overload);
        metrics.watch(overload, core);
        relay.target = core;
        List<ListenPoint> points;
        try {
            points = transport.bind(config.listen());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            shutDown(group, doorGroup, 1);
            resolver.shutdownNow();
            throw new IllegalStateException("interrupted while binding", e);
        } catch (RuntimeException e) {
            transport.close();
            shutDown(group, doorGroup, 1);
            resolver.shutdownNow();
            throw e;
        }
        core.start(new LocalAddresses(points, config.advertisedAddress(), config.sip().callersKeepTheirPort()));
        dispatcher.onNodeDown(core::nodeDown); // calls ringing on a node that dies are failed over at once
        overload.sampleUdpSockets(points, registry); // their receive queues, read off the loop (docs/security.md)
        if (doorGroup != null) {
            overload.watchDoor(transport::newCallsWaitingNanos, doorHold);
        }
        loop.execute(() -> overload.start(scheduler::schedule));
        log.info("router listening on {} ({} transport), {} static nodes", points.stream()
                .map(p -> p.transport().lowerName() + ":" + p.address()).toList(), netty, config.nodes().size());
        return new Router(group, doorGroup, transport, core, table, metrics, resolver, points, overload);
    }

    private static void shutDown(EventLoopGroup group, EventLoopGroup doorGroup, int seconds) {
        if (doorGroup != null) {
            doorGroup.shutdownGracefully(0, seconds, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, seconds, TimeUnit.SECONDS);
    }

    /** Tasks waiting on the event loop (0 where the loop cannot tell). */
    private static int queuedTasks(EventLoop loop) {
        return loop instanceof io.netty.util.concurrent.SingleThreadEventExecutor executor ? executor.pendingTasks()
                : 0;
    }

    /**
     * Reads the TLS certificate, key and CA bundle again from their files (a renewed certificate, with a config
     * reload): new connections use them. A file that does not make a usable context throws and the running one stays.
     */
    public void reloadTls() {
        transport.reloadTls();
    }

    /** The bound port of the first listen address. */
    public int port() {
        return points.get(0).address().getPort();
    }

    /** Every bound address, in the order of {@code sip.listen}. */
    public List<InetSocketAddress> boundAddresses() {
        return points.stream().map(ListenPoint::address).toList();
    }

    /** Live server plus client transactions; 0 once every timer has expired. */
    public int transactionCount() {
        return table.size();
    }

    /** Messages dropped: unparseable, oversized, stray. */
    public long droppedMessages() {
        return metrics.droppedTotal();
    }

    /** Messages whose handling failed inside the router (a bug; expected to stay 0). */
    public long internalErrors() {
        return metrics.internalErrors();
    }

    /** Requests not relayed because they named a next hop outside the farm and outside its dialogs (403). */
    public long relayRefused() {
        return metrics.relayRefusedTotal();
    }

    /** New requests answered 503 because the router was overloaded (docs/security.md, "Overload"). */
    public long shedRequests() {
        return metrics.shedTotal();
    }

    /** Answered legs the router ended itself (ACK and BYE) because the call had gone elsewhere. */
    public long endedLegs() {
        return metrics.legsEndedTotal();
    }

    /** Requests answered 400 (or 505). */
    public long badRequests() {
        return metrics.badRequestTotal();
    }

    /**
     * Sends OPTIONS to {@code targetUri} in a client non-INVITE transaction; completes with the final status code,
     * or 408 on Timer F and at once when the transport fails (connection refused, unresolvable host).
     */
    public CompletionStage<Integer> sendOptions(String targetUri) {
        return core.sendOptions(targetUri);
    }

    /**
     * Graceful stop, first half: new out-of-dialog requests are answered 503 with Retry-After from now on, and this
     * waits (up to {@code timeout}) until every server transaction in progress has sent its final response. Returns
     * how many were still waiting at the end (0: all finished). {@link #close()} does the rest.
     */
    public int drain(Duration timeout) throws InterruptedException {
        core.stopTakingCalls();
        long deadline = System.nanoTime() + timeout.toNanos();
        int waiting = awaitingFinalResponse();
        while (waiting > 0 && System.nanoTime() < deadline) {
            Thread.sleep(DRAIN_POLL.toMillis());
            waiting = awaitingFinalResponse();
        }
        return waiting;
    }

    /**
     * Runs {@code task} on the router's event loop, where every transaction, call and timer lives, and waits for it
     * (for tests: a manual scheduler's time moves there).
     */
    public void runOnEventLoop(Runnable task) throws InterruptedException {
        try {
            group.next().submit(task).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("task failed on the event loop: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("event loop did not run the task within 10 s", e);
        }
    }

    /** Server transactions without their final response yet, counted on the event loop that owns them. */
    public int awaitingFinalResponse() throws InterruptedException {
        try {
            return group.next().submit(table::awaitingFinalResponse).get(2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("event loop did not answer: " + e, e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        core.close();
        group.next().submit(() -> {
            overload.stop();
            table.clear();
            transport.close();
        }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (doorGroup != null) {
            doorGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        resolver.shutdownNow();
        log.info("router stopped");
    }

    /** Lets the transport be built before the proxy core it feeds. */
    private static final class InboundRelay implements io.roundhouse.router.transport.InboundHandler {
        private volatile io.roundhouse.router.transport.InboundHandler target;

        @Override
        public void onMessage(io.netty.buffer.ByteBuf frame, io.roundhouse.router.transport.Transport t,
                              InetSocketAddress source, io.netty.channel.Channel connection) {
            target.onMessage(frame, t, source, connection);
        }

        @Override
        public void onFramingError(io.roundhouse.router.transport.Transport t, InetSocketAddress source,
                                   String reason) {
            target.onFramingError(t, source, reason);
        }

        @Override
        public void onOversized(io.netty.buffer.ByteBuf head, io.roundhouse.router.transport.Transport t,
                                InetSocketAddress source, io.netty.channel.Channel connection) {
            target.onOversized(head, t, source, connection);
        }

        @Override
        public io.roundhouse.router.transport.AtTheDoor atTheDoor(io.netty.buffer.ByteBuf datagram,
                InetSocketAddress source, io.netty.channel.Channel port,
                io.roundhouse.router.transport.MessageSender doorSender) {
            return target.atTheDoor(datagram, source, port, doorSender);
        }

        @Override
        public void onAdmittedCall(io.netty.buffer.ByteBuf datagram, InetSocketAddress source,
                                   io.netty.channel.Channel port) {
            target.onAdmittedCall(datagram, source, port);
        }

        @Override
        public boolean shedding() {
            return target.shedding();
        }

        @Override
        public void heldTooLong(io.netty.buffer.ByteBuf datagram, InetSocketAddress source,
                                io.netty.channel.Channel port,
                                io.roundhouse.router.transport.MessageSender doorSender) {
            target.heldTooLong(datagram, source, port, doorSender);
        }
    }
}
