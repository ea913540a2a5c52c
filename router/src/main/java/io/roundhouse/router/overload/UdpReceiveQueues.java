package io.roundhouse.router.overload;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.Transport;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the receive queue ({@code rx_queue}) and drop count of the router's own UDP listening sockets from Linux's
 * {@code /proc/net/udp} and {@code /proc/net/udp6}, on a thread of its own (never the event loop: it reads files).
 * Each socket is found once by its local address and port and then followed by its inode, which no other socket
 * shares; where its address matches several lines (another process's socket bound with address reuse), the one among
 * this process's own descriptors is taken.
 *
 * <p>The router's own sockets and its ports for new calls ({@link ListenPoint#portsForNewCalls}) are reported apart
 * ({@link #own()}, {@link #forNewCalls()}): the guard judges them differently.
 *
 * <p>Where nothing can be sampled (not Linux, /proc unreadable, no UDP listener found) this says so once in the log
 * and reports empty queues: the guard judges by the event loop alone, as it did before.
 *
 * <p>Why /proc and not netlink ({@code sock_diag}, as {@code ss} uses): the JDK has no netlink socket. A read costs the
 * kernel a walk of every UDP socket of the host (0.1 ms with a few, 5.6 ms with 3,000, measured on a loaded 2-core
 * machine), so the sampling never takes more than {@value #MAX_CPU_PERCENT}% of a CPU: the next sample waits the
 * interval, or longer when the last one took more than 1/19th of it in CPU time.
 */
public final class UdpReceiveQueues implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UdpReceiveQueues.class);
    private static final int INITIAL_BUFFER = 64 * 1024;
    private static final int NO_SAMPLE = -1;
    /** The most of one CPU the sampling may take (a host with thousands of UDP sockets, an RTP relay beside it). */
    static final int MAX_CPU_PERCENT = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /**
     * A listening socket to follow.
     *
     * @param address       its bound local address
     * @param receiveBuffer its {@code SO_RCVBUF} as {@code getsockopt} reports it (Linux doubles what was asked, to
     *                      count bookkeeping as {@code rx_queue} does)
     * @param forNewCalls   a port for new calls, not one of the router's own sockets
     */
    record Socket(InetSocketAddress address, int receiveBuffer, boolean forNewCalls) {
    }

    /** The queues of one kind of socket, as the guard takes them at each of its samples. */
    private static final class Group implements ReceiveQueues {
        private volatile int latestPercent;
        /** Fullest queue in percent since the guard last took it; {@link #NO_SAMPLE} when no sample was taken since. */
        private final AtomicInteger peakPercent = new AtomicInteger();
        private volatile long drops;

        void sampled(double fullest, long dropped) {
            int percent = (int) Math.min(1000, Math.round(fullest * 100));
            latestPercent = percent;
            peakPercent.accumulateAndGet(percent, Math::max);
            drops = dropped;
        }

        @Override
        public int takePeakFillPercent() {
            int peak = peakPercent.getAndSet(NO_SAMPLE);
            return peak == NO_SAMPLE ? latestPercent : peak;
        }

        @Override
        public long drops() {
            return drops;
        }
    }

    private final List<Socket> sockets;
    private final Path proc;
    /** Inode of each followed socket; 0 for one not found. */
    private final long[] inodes;
    private final long[] queued;
    private final long[] dropped;
    private boolean readV4;
    private boolean readV6;
    private FileChannel udp;
    private FileChannel udp6;
    private ByteBuffer buffer = ByteBuffer.allocate(INITIAL_BUFFER);
    private final ProcNetUdp.Line line;
    private final ProcNetUdp.Visitor follow = this::follow;
    private volatile boolean sampling;
    private volatile double fill;
    private final Group own = new Group();
    private final Group forNewCalls = new Group();
    private boolean readFailing;
    private ScheduledExecutorService thread;

    /**
     * @param proc      where procfs is ({@code /proc}; a fixture's copy in tests)
     * @param hostOrder the byte order of the kernel that writes {@code proc} (this host's; x86's for the fixtures)
     */
    UdpReceiveQueues(List<Socket> sockets, Path proc, ByteOrder hostOrder) {
        this.sockets = List.copyOf(sockets);
        this.proc = proc;
        this.line = new ProcNetUdp.Line(hostOrder);
        this.inodes = new long[sockets.size()];
        this.queued = new long[sockets.size()];
        this.dropped = new long[sockets.size()];
    }

    /** The UDP sockets among {@code points}, each with its receive buffer as the kernel reports it. */
    public static UdpReceiveQueues of(List<ListenPoint> points) {
        List<ListenPoint> forNewCalls = ListenPoint.portsForNewCalls(points);
        List<Socket> sockets = new ArrayList<>();
        for (ListenPoint p : points) {
            if (p.transport() == Transport.UDP) {
                sockets.add(new Socket(p.address(), receiveBuffer(p), forNewCalls.contains(p)));
            }
        }
        return new UdpReceiveQueues(sockets, Path.of("/proc"), ByteOrder.nativeOrder());
    }

    /** The socket's {@code SO_RCVBUF} from the kernel; 0 (not followed) where the channel cannot tell. */
    private static int receiveBuffer(ListenPoint p) {
        try {
            Integer size = p.channel().config().getOption(ChannelOption.SO_RCVBUF);
            return size == null ? 0 : size;
        } catch (RuntimeException e) {
            log.debug("SO_RCVBUF of {}: {}", p.address(), e.toString());
            return 0;
        }
    }

    /**
     * Finds each socket's line (once). True when at least one is followed; otherwise the reason is logged once and
     * nothing is sampled.
     */
    boolean resolve() {
        if (sockets.isEmpty()) {
            return false; // a router without UDP: nothing to say
        }
        List<List<Long>> candidates = new ArrayList<>();
        List<List<Boolean>> inV6 = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            candidates.add(new ArrayList<>());
            inV6.add(new ArrayList<>());
        }
        String unreadable = null;
        int read = 0;
        for (boolean v6 : new boolean[] {false, true}) {
            Path file = proc.resolve(v6 ? "net/udp6" : "net/udp");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                int length = readAll(ch);
                ProcNetUdp.parse(buffer.array(), length, line, l -> {
                    for (int i = 0; i < sockets.size(); i++) {
                        if (l.isBoundTo(sockets.get(i).address())) {
                            candidates.get(i).add(l.inode);
                            inV6.get(i).add(v6);
                        }
                    }
                });
                read++;
            } catch (IOException | RuntimeException e) {
                unreadable = unreadable == null ? file + ": " + e : unreadable + "; " + file + ": " + e;
            }
        }
        boolean unreadableBoth = read == 0;
        Set<Long> own = null;
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            List<Long> found = candidates.get(i);
            int pick = found.size() == 1 ? 0 : -1;
            if (found.size() > 1) {
                own = own == null ? ownSocketInodes() : own;
                for (int c = 0; c < found.size(); c++) {
                    if (own.contains(found.get(c))) {
                        pick = pick == -1 ? c : -2; // -2: still ambiguous
                    }
                }
            }
            if (pick >= 0 && sockets.get(i).receiveBuffer() > 0) {
                inodes[i] = found.get(pick);
                if (inV6.get(i).get(pick)) {
                    readV6 = true;
                } else {
                    readV4 = true;
                }
            } else {
                missing.add(sockets.get(i).address() + (found.isEmpty() ? " (no line)" : found.size() > 1
                        ? " (" + found.size() + " lines)" : " (no receive buffer size)"));
            }
        }
        if (!readV4 && !readV6) {
            // Unreadable files (not Linux, a restricted /proc) say why; else no line had the sockets' addresses.
            log.info("UDP receive queues not sampled ({}): the overload guard judges by the event loop alone",
                    unreadableBoth ? unreadable : "not found in " + proc.resolve("net") + "/udp{,6}: " + missing);
            return false;
        }
        if (!missing.isEmpty()) {
            log.info("UDP receive queues of {} not sampled (not found in {}/udp{,6})", missing, proc.resolve("net"));
        }
        try {
            udp = readV4 ? FileChannel.open(proc.resolve("net/udp"), StandardOpenOption.READ) : null;
            udp6 = readV6 ? FileChannel.open(proc.resolve("net/udp6"), StandardOpenOption.READ) : null;
        } catch (IOException e) {
            log.info("UDP receive queues not sampled ({}): the overload guard judges by the event loop alone",
                    e.toString());
            closeFiles();
            return false;
        }
        sampling = true;
        log.info("UDP receive queues sampled from {}/udp{}: {}", proc.resolve("net"),
                readV4 && readV6 ? " and udp6" : readV6 ? "6" : "", followed());
        return true;
    }

    private List<String> followed() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sockets.size(); i++) {
            if (inodes[i] != 0) {
                names.add(sockets.get(i).address() + " (inode " + inodes[i] + ", receive buffer "
                        + sockets.get(i).receiveBuffer() + " bytes)");
            }
        }
        return names;
    }

    /** Inodes of this process's sockets ({@code socket:[N]} links in /proc/self/fd); empty when unreadable. */
    private Set<Long> ownSocketInodes() {
        Set<Long> own = new HashSet<>();
        try (Stream<Path> fds = Files.list(proc.resolve("self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        own.add(Long.parseLong(target, 8, target.length() - 1, 10));
                    }
                } catch (IOException | NumberFormatException e) {
                    // closed meanwhile, or not a socket
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {}: {}", proc.resolve("self/fd"), e.toString());
        }
        return own;
    }

    /** Starts sampling every {@code interval} on a daemon thread of its own, when {@link #resolve} finds a socket. */
    public void start(Duration interval) {
        if (!resolve()) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("sip-udp-queues", true));
        thread.execute(() -> sampleLogged(interval.toNanos()));
    }

    private void sampleLogged(long intervalNanos) {
        long began = cpuNanos();
        try {
            sample();
            if (readFailing) {
                readFailing = false;
                log.info("UDP receive queues readable again");
            }
        } catch (IOException | RuntimeException e) {
            if (!sampling) {
                return; // closed meanwhile: the interrupted read is the stop, not a fault
            }
            if (!readFailing) {
                readFailing = true; // one line per failing stretch, not one per sample
                log.warn("cannot sample the UDP receive queues: {} (the last values stay)", e.toString());
            }
        }
        long took = cpuNanos() - began;
        try {
            if (sampling) {
                thread.schedule(() -> sampleLogged(intervalNanos),
                        Math.max(intervalNanos, took * (100 / MAX_CPU_PERCENT - 1)), TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /**
     * CPU time of the sampling thread (the kernel's walk included), so that a sample that waited for a CPU on a busy
     * machine does not space the next ones out; wall time where the JVM cannot tell.
     */
    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** One sample: every followed socket's queue and drops. Runs on the sampling thread (or a test's). */
    void sample() throws IOException {
        if (!sampling) {
            return;
        }
        if (readV4) {
            ProcNetUdp.parse(buffer.array(), readAll(udp), line, follow);
        }
        if (readV6) {
            ProcNetUdp.parse(buffer.array(), readAll(udp6), line, follow);
        }
        double fullestOwn = 0;
        double fullestForNewCalls = 0;
        long droppedOwn = 0;
        long droppedForNewCalls = 0;
        for (int i = 0; i < sockets.size(); i++) {
            if (inodes[i] != 0) {
                double share = (double) queued[i] / sockets.get(i).receiveBuffer();
                if (sockets.get(i).forNewCalls()) {
                    fullestForNewCalls = Math.max(fullestForNewCalls, share);
                    droppedForNewCalls += dropped[i];
                } else {
                    fullestOwn = Math.max(fullestOwn, share);
                    droppedOwn += dropped[i];
                }
            }
        }
        own.sampled(fullestOwn, droppedOwn);
        forNewCalls.sampled(fullestForNewCalls, droppedForNewCalls);
        fill = Math.max(fullestOwn, fullestForNewCalls);
    }

    private void follow(ProcNetUdp.Line l) {
        for (int i = 0; i < inodes.length; i++) {
            if (inodes[i] == l.inode && inodes[i] != 0) {
                queued[i] = l.rxQueue;
                dropped[i] = l.drops;
            }
        }
    }

    /**
     * Reads the whole file from its start into {@link #buffer} (procfs writes it anew for each read from offset 0, so
     * the file stays open); returns its length.
     */
    private int readAll(FileChannel ch) throws IOException {
        buffer.clear();
        long position = 0;
        while (true) {
            if (!buffer.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
            int n = ch.read(buffer, position);
            if (n < 0) {
                return buffer.position();
            }
            position += n;
        }
    }

    /** The router's own sockets: all of them where there is no port for new calls. */
    ReceiveQueues own() {
        return own;
    }

    /** The ports for new calls; never over any limit where there is none. */
    ReceiveQueues forNewCalls() {
        return forNewCalls;
    }

    /** Whether a port for new calls is followed. */
    boolean followsPortForNewCalls() {
        for (int i = 0; i < sockets.size(); i++) {
            if (inodes[i] != 0 && sockets.get(i).forNewCalls()) {
                return true;
            }
        }
        return false;
    }

    /** Datagrams the kernel dropped at all the listening sockets since they were opened. */
    public long drops() {
        return own.drops() + forNewCalls.drops();
    }

    /** Share of its receive buffer the fullest listening socket had queued at the last sample (may pass 1 a little). */
    public double fill() {
        return fill;
    }

    /** Whether a socket is followed (false: the signal is absent). */
    public boolean sampling() {
        return sampling;
    }

    /** Whether the sampling thread, if one was started, has ended (tests). */
    boolean threadTerminated() {
        return thread == null || thread.isTerminated();
    }

    /** {@code sip_overload_udp_queue} and {@code sip_overload_udp_drops_total}. */
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("sip.overload.udp.queue", this, UdpReceiveQueues::fill)
                .description("share of its receive buffer the fullest UDP listening socket had waiting at the last"
                        + " sample").register(registry);
        FunctionCounter.builder("sip.overload.udp.drops", this, UdpReceiveQueues::drops)
                .description("datagrams the kernel dropped at the UDP listening sockets (receive buffer full)")
                .register(registry);
    }

    @Override
    public void close() {
        sampling = false;
        if (thread != null) {
            thread.shutdownNow();
            try {
                thread.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeFiles();
    }

    private void closeFiles() {
        for (FileChannel ch : new FileChannel[] {udp, udp6}) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    log.debug("closing a /proc file: {}", e.toString());
                }
            }
        }
    }
}
