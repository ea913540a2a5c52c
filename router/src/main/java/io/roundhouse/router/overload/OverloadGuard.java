package io.roundhouse.router.overload;

import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.router.transport.ListenPoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether the router takes a new call. Every {@code sample-interval} it samples the SIP event loop: how late a
 * probe scheduled on the loop runs (lag), how much of the interval the loop's thread spent on a CPU (busy: its thread
 * CPU time, so that a machine busy with other work does not count), how much of it the thread was runnable (on a CPU
 * or waiting on a run queue for one: its {@code schedstat} on Linux, {@link ThreadSchedStat}), and how many tasks wait
 * on the loop. The loop counts as overloaded when, over the last {@code window}, its busy or runnable share is above
 * its limit, or even its best sample was later, or had more tasks queued, than the limit: a burst, a GC pause or a cold
 * start's class loading is not overload, a backlog that lasts is. The runnable share (off by default, see
 * {@link OverloadSettings#DEFAULT_MAX_LOOP_RUNNABLE}) sees a loop starved of CPU by other processes, which spends little
 * CPU time of its own and never trips the busy limit.
 *
 * <p>It also reads the receive queues of the router's UDP listening sockets, sampled off the loop
 * ({@link UdpReceiveQueues}): a queue fuller than its limit, or datagrams dropped by the kernel, in any sample of the
 * window is overload at once. That is the direct sign of a loop that cannot keep up with UDP, whatever the reason
 * (its own work, or a CPU it does not get: then its own CPU time stays low and the busy measure cannot see it).
 *
 * <p>While overloaded, the share of new calls admitted falls by a quarter once per window (the measures need a window
 * to show the effect); once every measure is under {@link OverloadSettings#CLEAR_PERCENT}% of its limit, it climbs back
 * by {@value #RECOVERY_STEP} per sample (full admission again within about a second at the default interval). Between
 * the two it holds. A decrease made by a UDP measure of sockets that receive new calls, which they did not feel, is
 * undone ({@link #decide}); where new calls have a port of their own, the router's own sockets carry only the calls it
 * admitted, and their decreases stand. Shed calls are spread evenly among the offered ones. Independently, a new call
 * is refused whenever the calls in progress are at their limit.
 *
 * <p>Samples and decides on the SIP event loop (its scheduler calls it there); {@link #admitsNewCall} and
 * {@link #shedding} are also asked on the door's thread (a port for new calls read by a thread of its own), so the
 * sample and the admission share one lock; {@link #overloaded()} may be read from any thread (metrics).
 */
public final class OverloadGuard {

    /** Admitted share added per calm sample: from none to all in 40 samples (2 s at 50 ms). */
    static final double RECOVERY_STEP = 0.025;
    /** Admitted share kept at each decrease. */
    static final double DECREASE = 0.75;
    /** Never shed everything: a trickle of calls keeps measuring what the farm can take. */
    static final double MIN_ADMITTED = 0.05;
    /** A decrease relieved the UDP sockets if their drops or their fill over the next window fell by this much. */
    static final double RELIEF = 0.10;

    private static final Logger log = LoggerFactory.getLogger(OverloadGuard.class);

    /** What the guard measures; the one over its limit is what each decrease of the admitted share is counted by. */
    public enum Measure {
        LOOP_LAG("loop-lag"), LOOP_BUSY("loop-busy"), LOOP_RUNNABLE("loop-runnable"), UDP_QUEUE("udp-queue"),
        UDP_DROPS("udp-drops"), NEW_CALL_UDP_QUEUE("new-call-udp-queue"), NEW_CALL_UDP_DROPS("new-call-udp-drops"),
        QUEUED_TASKS("queued-tasks"), DOOR_WAIT("door-wait");

        private final String label;

        Measure(String label) {
            this.label = label;
        }

        /** As in the metrics' {@code measure} tag and, but for the new-call ones, the settings' {@code max-*} key. */
        public String label() {
            return label;
        }
    }

    /** A measure over its limit, with the figures for the log. */
    private record Over(Measure measure, String text) {
    }

    private final OverloadSettings settings;
    /** Read from the settings once: both are asked for every new call. */
    private final boolean enabled;
    private final int maxCallsInProgress;
    private final LongSupplier nanoClock;
    private final IntSupplier queuedTasks;
    private final LongSupplier loopCpuNanos;
    private final int samples;
    private final long[] busy;
    private final long[] waiting;
    private final long[] wall;
    private final long[] lag;
    /** How long the oldest new call waiting at the door had waited, per sample. */
    private final long[] doorWait;
    private volatile LongSupplier doorWaitNanos = () -> 0;
    /** The door's hold (half of T1); 0: no door. */
    private volatile long doorHoldNanos;
    private final int[] queued;
    /** The router's own UDP sockets: every one, where there is no port for new calls. */
    private final UdpFigures udp;
    /** The ports for new calls. */
    private final UdpFigures newCallUdp;
    /** Whether new calls have ports of their own: then the router's own sockets carry only admitted calls. */
    private volatile boolean portForNewCalls;
    /** Opened by {@link #start} on the loop's thread, unless a test gave one. */
    private RunQueueWait loopWait;
    private long waitAtSampleStart;
    private volatile UdpReceiveQueues udpSampler;
    private int next;
    private int filled;
    private long sampleStart;
    private long cpuAtSampleStart;
    private int samplesSinceDecrease;
    private double admitted = 1.0;
    private double debt;
    private long shedSinceEntered;
    /** The UDP figures of the socket kind whose last decrease is to be judged; null: none to judge. */
    private UdpFigures judged;
    /** Their drops and fill summed over the window before that decrease. */
    private long udpDropsBeforeDecrease;
    private long udpFillBeforeDecrease;
    /** While this overload lasts, the UDP measures lower the admitted share no further than this (see sample). */
    private double udpFloor;
    private volatile long decreasesUndone;
    /** Decreases of the admitted share, by the measure that was over (written on the loop, read by metrics). */
    private final AtomicLongArray decreases = new AtomicLongArray(Measure.values().length);
    private volatile boolean overloaded;
    private volatile boolean stopped;

    /**
     * @param nanoClock    monotonic time
     * @param queuedTasks  tasks waiting on the event loop
     * @param loopCpuNanos CPU time of the event loop's thread, read on that thread (a constant where the JVM cannot
     *                     tell: then the busy measure never trips)
     */
    public OverloadGuard(OverloadSettings settings, LongSupplier nanoClock, IntSupplier queuedTasks,
                         LongSupplier loopCpuNanos) {
        this.settings = settings;
        this.enabled = settings.enabled();
        this.maxCallsInProgress = settings.maxCallsInProgress();
        this.nanoClock = nanoClock;
        this.queuedTasks = queuedTasks;
        this.loopCpuNanos = loopCpuNanos;
        this.samples = (int) Math.max(1, settings.window().toNanos() / settings.sampleInterval().toNanos());
        this.busy = new long[samples];
        this.waiting = new long[samples];
        this.wall = new long[samples];
        this.lag = new long[samples];
        this.doorWait = new long[samples];
        this.queued = new int[samples];
        this.udp = new UdpFigures(samples);
        this.newCallUdp = new UdpFigures(samples);
        this.samplesSinceDecrease = samples;
        this.sampleStart = nanoClock.getAsLong();
    }

    /**
     * Starts sampling with {@code scheduler}, which runs a task after a delay on the SIP event loop (the loop's own
     * scheduler; a manual one in tests).
     */
    public void start(BiConsumer<Runnable, Duration> scheduler) {
        if (settings.enabled()) {
            sampleStart = nanoClock.getAsLong();
            cpuAtSampleStart = loopCpuNanos.getAsLong();
            if (loopWait == null) {
                // start runs on the loop: the file opened now describes the loop's thread. Not read when off.
                loopWait = settings.maxLoopRunnable() < OverloadSettings.LOOP_RUNNABLE_OFF
                        ? ThreadSchedStat.ofCurrentThread() : RunQueueWait.ABSENT;
            }
            waitAtSampleStart = loopWait.waitNanos();
            udp.start();
            newCallUdp.start();
            scheduleProbe(scheduler);
        }
    }

    /**
     * Follows how long new calls wait at the door for the event loop ({@code oldestWaitNanos}, read at each sample):
     * longer than twice {@code hold} (the door's own, half of T1) for a whole window, the router is overloaded (measure
     * {@code door-wait}): callers are retransmitting while they wait. It stays so until a whole window whose waits were
     * all under 80% of the hold. Call before {@link #start}.
     */
    public void watchDoor(LongSupplier oldestWaitNanos, Duration hold) {
        this.doorWaitNanos = oldestWaitNanos;
        this.doorHoldNanos = hold.toNanos();
    }

    /**
     * Follows the receive queues of the UDP sockets among {@code points} from now on, sampled on a thread of their
     * own every {@code sample-interval}, with their metrics in {@code registry}. Call once, before {@link #start}, off
     * the event loop (it reads /proc once). Nothing when the guard is off; where the queues cannot be read, a line in
     * the log and the guard judges as before.
     */
    public void sampleUdpSockets(List<ListenPoint> points, MeterRegistry registry) {
        if (!settings.enabled()) {
            return;
        }
        UdpReceiveQueues sampler = UdpReceiveQueues.of(points);
        udpSampler = sampler;
        sampler.start(settings.sampleInterval());
        if (sampler.sampling()) {
            sampler.bindTo(registry);
            if (sampler.followsPortForNewCalls()) {
                watch(sampler.own(), sampler.forNewCalls());
            } else {
                watch(sampler.own());
            }
        }
    }

    /** Reads {@code queues}, sockets that receive new calls too, at each sample from now on (before {@link #start}). */
    void watch(ReceiveQueues queues) {
        udp.queues = queues;
        portForNewCalls = false;
    }

    /**
     * Reads the router's {@code own} sockets, which carry only the calls it admitted, and its ports {@code forNewCalls}
     * at each sample from now on (before {@link #start}).
     */
    void watch(ReceiveQueues own, ReceiveQueues forNewCalls) {
        udp.queues = own;
        newCallUdp.queues = forNewCalls;
        portForNewCalls = true;
    }

    /** Reads the loop's run-queue wait from {@code wait} instead of its thread's schedstat (before {@link #start}). */
    void watchLoopWait(RunQueueWait wait) {
        loopWait = wait;
    }

    /** Stops sampling (the probe already scheduled does nothing), the UDP queues' sampling thread included. */
    public void stop() {
        stopped = true;
        RunQueueWait wait = loopWait;
        if (wait != null) {
            wait.close();
        }
        UdpReceiveQueues sampler = udpSampler;
        if (sampler != null) {
            sampler.close();
        }
    }

    private void scheduleProbe(BiConsumer<Runnable, Duration> scheduler) {
        long due = nanoClock.getAsLong() + settings.sampleInterval().toNanos();
        scheduler.accept(() -> {
            if (stopped) {
                return;
            }
            sample(Math.max(0, nanoClock.getAsLong() - due));
            scheduleProbe(scheduler);
        }, settings.sampleInterval());
    }

    /**
     * One sample: the probe ran {@code lagNanos} late; the loop's CPU time and queued tasks are taken now. Synchronized
     * with {@link #admitsNewCall}, which the door's thread calls too.
     */
    synchronized void sample(long lagNanos) {
        long now = nanoClock.getAsLong();
        long cpu = loopCpuNanos.getAsLong();
        busy[next] = Math.max(0, cpu - cpuAtSampleStart);
        cpuAtSampleStart = cpu;
        long wait = loopWait == null ? 0 : loopWait.waitNanos();
        waiting[next] = Math.max(0, wait - waitAtSampleStart);
        waitAtSampleStart = wait;
        lag[next] = lagNanos;
        doorWait[next] = doorWaitNanos.getAsLong();
        queued[next] = queuedTasks.getAsInt();
        udp.sample(next);
        newCallUdp.sample(next);
        wall[next] = now - sampleStart;
        sampleStart = now;
        next = (next + 1) % samples;
        filled = Math.min(samples, filled + 1);
        samplesSinceDecrease++;
        if (filled < samples) {
            return; // a window must pass before anything is judged
        }
        Over why = over(100);
        if (why != null) {
            if (samplesSinceDecrease >= samples) {
                samplesSinceDecrease = 0;
                decide(why);
            }
        } else if (overloaded && over(OverloadSettings.CLEAR_PERCENT) == null) {
            admitted = Math.min(1.0, admitted + RECOVERY_STEP);
            if (admitted >= 1.0) {
                overloaded = false;
                debt = 0;
                judged = null;
                udpFloor = 0;
                log.info("no longer overloaded: {} new requests were answered 503", shedSinceEntered);
            }
        }
    }

    /**
     * A window after the last decision, with {@code why} over its limit: lower the admitted share, or, for a UDP
     * measure of sockets that receive new calls, judge the last decrease first. Such a socket fills from what arrives
     * (new INVITEs, their retransmissions, other processes' share of the CPU) as much as from the work the loop does per
     * datagram, and shedding lowers only the latter: when a decrease made while already overloaded left the sockets'
     * drops and fill as they were (neither fell by {@value #RELIEF} of itself over the window after it), it only lost
     * calls. It is undone, and those measures lower the share no further while this overload lasts; the loop's own
     * measures (lag, busy, runnable, queued tasks), and the router's own sockets where new calls have a port of their
     * own, still do: they are the admitted calls' own work. Otherwise the share would sink to {@link #MIN_ADMITTED}
     * while the socket stays as full, which is how the bench's overload step completed x0.26-x0.53 of the clean rate.
     */
    private void decide(Over why) {
        if (why.measure() == Measure.DOOR_WAIT && overloaded) {
            // While the guard sheds, the door answers 503 to a new call that waited past its hold: the loop is given
            // what it has time for, so a wait at the door keeps the overload on but lowers the share no further.
            return;
        }
        UdpFigures figures = switch (why.measure()) {
            case UDP_QUEUE, UDP_DROPS -> portForNewCalls ? null : udp;
            case NEW_CALL_UDP_QUEUE, NEW_CALL_UDP_DROPS -> newCallUdp;
            default -> null;
        };
        long drops = figures == null ? 0 : figures.dropsOverWindow();
        long fill = figures == null ? 0 : figures.fillOverWindow();
        if (figures != null && figures == judged && drops >= udpDropsBeforeDecrease * (1 - RELIEF)
                && fill >= udpFillBeforeDecrease * (1 - RELIEF)) {
            admitted = Math.min(1.0, admitted / DECREASE);
            udpFloor = admitted;
            judged = null;
            decreasesUndone++;
            log.warn("shedding more did not relieve the UDP sockets ({}): new calls are admitted at {}% while this"
                    + " overload lasts, unless the event loop's own measures say otherwise", why.text(),
                    Math.round(admitted * 100));
            return;
        }
        if (figures != null && admitted <= udpFloor) {
            return;
        }
        admitted = Math.max(MIN_ADMITTED, admitted * DECREASE);
        decreases.incrementAndGet(why.measure().ordinal());
        // Only a decrease made after a whole window of overload can be judged by the next one: the window before the
        // first decrease is still partly calm, so any overload would look worse after it.
        judged = figures != null && overloaded ? figures : null;
        udpDropsBeforeDecrease = drops;
        udpFillBeforeDecrease = fill;
        if (!overloaded) {
            overloaded = true;
            shedSinceEntered = 0;
            log.warn("overloaded ({}): new calls are answered 503 in part until the load is under {}% of every limit",
                    why.text(), OverloadSettings.CLEAR_PERCENT);
        }
    }

    /** The first measure over the window above {@code percent}% of its limit, or null. */
    private Over over(int percent) {
        long busyTotal = 0;
        long waitTotal = 0;
        long window = 1;
        long minLag = Long.MAX_VALUE;
        long minDoorWait = Long.MAX_VALUE;
        long maxDoorWait = 0;
        int minQueued = Integer.MAX_VALUE;
        for (int i = 0; i < samples; i++) {
            busyTotal += busy[i];
            waitTotal += waiting[i];
            window += wall[i];
            minLag = Math.min(minLag, lag[i]);
            minDoorWait = Math.min(minDoorWait, doorWait[i]);
            maxDoorWait = Math.max(maxDoorWait, doorWait[i]);
            minQueued = Math.min(minQueued, queued[i]);
        }
        long busyPercent = Math.min(100, busyTotal * 100 / window);
        long runnablePercent = Math.min(100, (busyTotal + waitTotal) * 100 / window);
        long maxLag = settings.maxLoopLag().toNanos();
        long windowMillis = settings.window().toMillis();
        if (minLag * 100 > maxLag * percent) {
            return new Over(Measure.LOOP_LAG, "event loop at least " + minLag / 1_000_000 + " ms late for "
                    + windowMillis + " ms, limit " + maxLag / 1_000_000 + " ms");
        }
        if (busyPercent * 100 > (long) settings.maxLoopBusy() * percent) {
            return new Over(Measure.LOOP_BUSY, "event loop " + busyPercent + "% busy over " + windowMillis
                    + " ms, limit " + settings.maxLoopBusy() + "%");
        }
        if (settings.maxLoopRunnable() < OverloadSettings.LOOP_RUNNABLE_OFF
                && runnablePercent * 100 > (long) settings.maxLoopRunnable() * percent) {
            return new Over(Measure.LOOP_RUNNABLE, "event loop runnable " + runnablePercent + "% of " + windowMillis
                    + " ms (on a CPU " + busyPercent + "%, waiting for one " + Math.min(100, waitTotal * 100 / window)
                    + "%), limit " + settings.maxLoopRunnable() + "%");
        }
        // The UDP measures by their worst sample: one sample over is overload at once (a full queue or lost datagrams
        // are not noise), and the measure stays over until a whole window was under it (the hysteresis in time). The
        // router's own sockets first: where new calls have a port of their own, they are the admitted calls'.
        Over own = udp.over(percent, Measure.UDP_QUEUE, Measure.UDP_DROPS, "a UDP");
        if (own != null) {
            return own;
        }
        Over forNewCalls = newCallUdp.over(percent, Measure.NEW_CALL_UDP_QUEUE, Measure.NEW_CALL_UDP_DROPS,
                "a port for new calls' UDP");
        if (forNewCalls != null) {
            return forNewCalls;
        }
        if ((long) minQueued * 100 > (long) settings.maxQueuedTasks() * percent) {
            return new Over(Measure.QUEUED_TASKS, "at least " + minQueued + " tasks queued for " + windowMillis
                    + " ms, limit " + settings.maxQueuedTasks());
        }
        // Last: the door's queue is the loop's backlog of new calls. Entered when its oldest waited past its callers'
        // first retransmission (T1, twice the door's hold) for the whole window: a pause of the loop, or a second
        // of it short of CPU at a rate it sustains, is not overload. Held until a whole window whose every wait was
        // under the hold's 80%: while shedding the door answers what waits past its hold, so the wait hovers under
        // the hold, never under T1.
        if (doorHoldNanos > 0 && (percent == 100 ? minDoorWait > 2 * doorHoldNanos
                : maxDoorWait * 100 > doorHoldNanos * percent)) {
            return new Over(Measure.DOOR_WAIT, "new calls waited at least " + minDoorWait / 1_000_000 + " ms at the"
                    + " door for " + windowMillis + " ms, limit " + 2 * doorHoldNanos / 1_000_000 + " ms (T1)");
        }
        return null;
    }

    /** One kind of UDP socket's fill and drops over the window, sample by sample. */
    private final class UdpFigures {
        private volatile ReceiveQueues queues = ReceiveQueues.ABSENT;
        private final int[] fill;
        private final long[] drops;
        private long dropsBefore;

        UdpFigures(int samples) {
            fill = new int[samples];
            drops = new long[samples];
        }

        void start() {
            dropsBefore = queues.drops();
        }

        void sample(int at) {
            ReceiveQueues q = queues;
            fill[at] = q.takePeakFillPercent();
            long total = q.drops();
            drops[at] = Math.max(0, total - dropsBefore);
            dropsBefore = total;
        }

        long dropsOverWindow() {
            long sum = 0;
            for (long d : drops) {
                sum += d;
            }
            return sum;
        }

        long fillOverWindow() {
            long sum = 0;
            for (int f : fill) {
                sum += f;
            }
            return sum;
        }

        Over over(int percent, Measure queue, Measure dropped, String sockets) {
            int maxFill = 0;
            long maxDrops = 0;
            for (int i = 0; i < fill.length; i++) {
                maxFill = Math.max(maxFill, fill[i]);
                maxDrops = Math.max(maxDrops, drops[i]);
            }
            long windowMillis = settings.window().toMillis();
            if ((long) maxFill * 100 > (long) settings.maxUdpQueue() * percent) {
                return new Over(queue, sockets + " receive queue " + maxFill + "% full within " + windowMillis
                        + " ms, limit " + settings.maxUdpQueue() + "% of its buffer");
            }
            if (maxDrops * 100 > (long) settings.maxUdpDrops() * percent) {
                return new Over(dropped, maxDrops + " datagrams dropped at " + sockets + " socket in "
                        + settings.sampleInterval().toMillis() + " ms within " + windowMillis + " ms, limit "
                        + settings.maxUdpDrops());
            }
            return null;
        }
    }

    /**
     * Whether {@link #admitsNewCall} may refuse a call now: overloaded, or the calls in progress at their limit. Counts
     * nothing and changes nothing, so that the proxy can ask it of every INVITE before it spends anything on one.
     */
    public boolean shedding(int callsInProgress) {
        return enabled && (overloaded || callsInProgress >= maxCallsInProgress);
    }

    /**
     * True when a new call may be taken with {@code callsInProgress} already in progress; false means it gets 503. The
     * calls in progress are read at each call, so a burst is cut at the limit, not a sample later. Called on the event
     * loop and on the door's thread (a port for new calls read by a thread of its own); uncontended but for the
     * sample's twenty times a second.
     */
    public synchronized boolean admitsNewCall(int callsInProgress) {
        if (!enabled) {
            return true;
        }
        if (callsInProgress >= maxCallsInProgress) {
            shedSinceEntered++;
            return false;
        }
        if (!overloaded) {
            return true;
        }
        // Evenly spread: each call owes the share not admitted; a call is shed whenever a whole one is owed.
        debt += 1.0 - admitted;
        if (debt >= 1.0) {
            debt -= 1.0;
            shedSinceEntered++;
            return false;
        }
        return true;
    }

    /** How many times the admitted share was lowered because {@code measure} was over its limit (for metrics). */
    public long decreases(Measure measure) {
        return decreases.get(measure.ordinal());
    }

    /** How many decreases were undone because they did not relieve the UDP sockets (for metrics). */
    public long decreasesUndone() {
        return decreasesUndone;
    }

    /** Whether new calls are being shed in part (for metrics). */
    public boolean overloaded() {
        return overloaded;
    }

    /** The share of new calls admitted now, 1 when not overloaded (for metrics and tests). */
    public double admittedShare() {
        return overloaded ? admitted : 1.0;
    }
}
