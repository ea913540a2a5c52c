package io.roundhouse.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.overload.OverloadGuard;
import io.roundhouse.router.proxy.LocalAddresses;
import io.roundhouse.router.proxy.ProxyCore;
import io.roundhouse.router.proxy.ProxyMetrics;
import io.roundhouse.router.proxy.RouteSigner;
import io.roundhouse.router.transaction.SipScheduler;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a shed call costs the event loop (issue 9: at twice the clean rate, 16,000 INVITEs/s, the loop could not even
 * read them all): {@link ProxyCore#onMessage} fed a datagram while the overload guard sheds every new call (its limit
 * of calls in progress is one, held by a call whose dispatcher never answers). Sockets, the decoder and the flood guard
 * are not in it; the 503 is built and handed to a sender that releases it.
 *
 * <ul>
 *   <li>{@code copyOnly}: the datagram copied into a pooled buffer, as the transport does, and released; the floor
 *       the other figures include.</li>
 *   <li>{@code newInvite}: a new call (its own branch and Call-ID each time), answered 503.</li>
 *   <li>{@code retransmittedInvite}: the same INVITE again (a caller retransmitting a shed call).</li>
 *   <li>{@code ackOf503}: the caller's ACK of the router's 503 (RFC 3261 §17.1.1.3: same branch, the 503's To tag).</li>
 * </ul>
 *
 * Only the router's public API is used, so the same source measures any version of the router (A/B runs).
 *
 * <p>On a machine shared with builds, JMH's wall-clock figures mostly measure how often the thread and the JIT got a
 * CPU; {@link #main} runs each case on the calling thread and prints that thread's CPU time and allocated bytes per
 * operation instead: {@code java -cp bench/jmh/target/benchmarks.jar io.roundhouse.bench.ShedInviteBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ShedInviteBenchmark {

    private static final InetSocketAddress CALLER = new InetSocketAddress("192.0.2.10", 5060);
    private static final String BRANCH = "z9hG4bK776asdhds";
    private static final String CALL_ID = "a84b4c76e66710";

    private final CapturingSender sender = new CapturingSender();
    private EventLoop loop;
    private ProxyCore core;
    private byte[] invite;
    private int branchAt;
    private int callIdAt;
    private long counter;
    private byte[] retransmission;
    private byte[] ack;

    @Setup
    public void start() {
        RouterConfig config = RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:5060" ]
                  overload: { max-calls-in-progress: 1 }
                nodes:
                  - { id: node-1, uri: "sip:127.0.0.1:5080" }
                """);
        loop = new DefaultEventLoop();
        SipScheduler idle = new SipScheduler() {
            @Override
            public Cancellable schedule(Runnable task, Duration delay) {
                return Cancellable.NONE; // no timer ever fires: the call in progress stays in progress
            }

            @Override
            public long nanoTime() {
                return System.nanoTime();
            }
        };
        TransactionTable table = new TransactionTable(idle, config.timers(), sender);
        ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry(), table);
        OverloadGuard guard = new OverloadGuard(config.overload(), System::nanoTime, () -> 0, () -> 0L);
        core = new ProxyCore(loop, table, config, new SilentDispatcher(), metrics, idle, sender, Runnable::run,
                RouteSigner.random(), guard);
        core.start(new LocalAddresses(List.of(new ListenPoint(Transport.UDP, new InetSocketAddress("127.0.0.1", 5060),
                null)), Optional.empty()));

        invite = TypicalInvite.bytes();
        String text = new String(invite, StandardCharsets.ISO_8859_1);
        branchAt = text.indexOf(BRANCH);
        callIdAt = text.indexOf(CALL_ID);
        // The one call in progress the limit allows: every later new call is shed.
        feed(nextInvite());
        if (core.callsInProgress() != 1) {
            throw new IllegalStateException("the first INVITE did not become a call in progress");
        }
        retransmission = nextInvite().clone(); // later new INVITEs rewrite the template in place
        sender.keepNext = true;
        feed(retransmission);
        String response = sender.kept;
        if (response == null || !response.startsWith("SIP/2.0 503 ") || !response.contains("overloaded")) {
            throw new IllegalStateException("a new INVITE was not shed: " + response);
        }
        ack = ackOf(text(retransmission), response).getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * CPU time and allocation per operation of each case, read from the thread's own counters
     * (com.sun.management.ThreadMXBean): {@code [operations per round, default 100,000] [rounds, default 8]}; the last
     * round is printed, the ones before it warm the JIT up.
     */
    public static void main(String[] args) {
        int ops = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        ShedInviteBenchmark b = new ShedInviteBenchmark();
        b.start();
        try {
            java.util.Map<String, Runnable> cases = new java.util.LinkedHashMap<>();
            cases.put("copyOnly", b::copyOnly);
            cases.put("newInvite", b::newInvite);
            cases.put("retransmittedInvite", b::retransmittedInvite);
            cases.put("ackOf503", b::ackOf503);
            for (java.util.Map.Entry<String, Runnable> c : cases.entrySet()) {
                long cpu = 0;
                long bytes = 0;
                for (int r = 0; r < rounds; r++) {
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long bytes0 = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
                    for (int i = 0; i < ops; i++) {
                        c.getValue().run();
                    }
                    cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    bytes = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - bytes0;
                }
                System.out.printf("%-20s %8.0f ns CPU/op %8d B/op%n", c.getKey(), cpu / (double) ops, bytes / ops);
            }
        } finally {
            b.stop();
        }
    }

    @TearDown
    public void stop() {
        core.close();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Benchmark
    public int copyOnly() {
        ByteBuf in = datagram(invite);
        int n = in.readableBytes();
        in.release();
        return n;
    }

    @Benchmark
    public long newInvite() {
        feed(nextInvite());
        return sender.sent;
    }

    @Benchmark
    public long retransmittedInvite() {
        feed(retransmission);
        return sender.sent;
    }

    @Benchmark
    public long ackOf503() {
        feed(ack);
        return sender.sent;
    }

    /** The INVITE with a new branch and Call-ID (same lengths: hex digits over the fixture's). */
    private byte[] nextInvite() {
        long n = ++counter;
        for (int i = 0; i < 8; i++) {
            byte digit = (byte) Character.forDigit((int) (n >>> (4 * i)) & 0xf, 16);
            invite[branchAt + BRANCH.length() - 1 - i] = digit;
            invite[callIdAt + CALL_ID.length() - 1 - i] = digit;
        }
        return invite;
    }

    private void feed(byte[] bytes) {
        ByteBuf in = datagram(bytes);
        try {
            core.onMessage(in, Transport.UDP, CALLER, null);
        } finally {
            in.release();
        }
    }

    private static ByteBuf datagram(byte[] bytes) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The ACK a caller sends for a non-2xx final response (§17.1.1.3): the INVITE's Via, the response's To. */
    private static String ackOf(String invite, String response) {
        String requestLine = invite.substring(0, invite.indexOf("\r\n")).replace("INVITE ", "ACK ");
        return requestLine + "\r\n" + header(invite, "Via") + header(invite, "Max-Forwards") + header(response, "To")
                + header(invite, "From") + header(invite, "Call-ID")
                + "CSeq: " + header(invite, "CSeq").replaceAll("\\D+", " ").trim() + " ACK\r\nContent-Length: 0\r\n\r\n";
    }

    private static String header(String message, String name) {
        int at = message.indexOf("\r\n" + name + ":");
        if (at < 0) {
            throw new IllegalStateException("no " + name + " in " + message);
        }
        return message.substring(at + 2, message.indexOf("\r\n", at + 2) + 2);
    }

    /** Releases what the core sends; keeps the text of the next message when asked. */
    private static final class CapturingSender implements MessageSender {
        boolean keepNext;
        String kept;
        long sent;

        @Override
        public void send(ByteBuf message, Destination destination, Consumer<Throwable> onFailure) {
            sent++;
            if (keepNext) {
                keepNext = false;
                kept = message.toString(StandardCharsets.ISO_8859_1);
            }
            message.release();
        }
    }

    /** A dispatcher that never answers: the first call stays in progress. */
    private static final class SilentDispatcher implements Dispatcher {
        @Override
        public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
            return new CompletableFuture<>();
        }

        @Override
        public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                              AttemptOutcome outcome) {
            return new CompletableFuture<>();
        }

        @Override
        public boolean isFromNode(InetSocketAddress source) {
            return false;
        }
    }
}
