package io.roundhouse.router.overload;

import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;

/**
 * When the router counts as overloaded ({@code sip.overload}); over any limit, new out-of-dialog requests for the farm
 * are answered 503 with Retry-After at once, while calls already admitted and in-dialog requests go on.
 *
 * <pre>
 * sip:
 *   overload:
 *     enabled: true
 *     sample-interval: 50ms        # how often the SIP event loop is measured
 *     window: 1s                   # how long a measure must stay over its limit
 *     max-loop-lag: 100ms          # a probe scheduled on the event loop runs at least this late
 *     max-loop-busy: 90            # percent of the window the event loop's thread was on a CPU
 *     max-loop-runnable: 100       # percent of the window it was on a CPU or waiting for one (Linux); 100: off
 *     max-queued-tasks: 10000      # tasks waiting on the event loop (dispatcher answers, name lookups)
 *     max-calls-in-progress: 10000 # proxied requests still waiting for their final response
 *     max-udp-queue: 50            # percent of its receive buffer a UDP listening socket has waiting to be read
 *     max-udp-drops: 0             # datagrams the kernel dropped at the UDP listening sockets within one sample
 *     new-call-thread:             # ports for new calls read, and shed, by a thread of their own; absent: where the
 *                                  # JVM sees 2 processors or more
 * </pre>
 *
 * <p>Over a limit for a whole window, the router sheds a growing share of new calls; it takes all of them again once
 * every measure is back under {@value #CLEAR_PERCENT}% of its limit ({@link OverloadGuard}). A null argument takes
 * its default.
 *
 * @param enabled            false turns shedding off
 * @param sampleInterval     how often the event loop is measured
 * @param window             how long a measure must stay over its limit to count
 * @param maxLoopLag         event-loop lag above which the router is overloaded
 * @param maxLoopBusy        percent of the window the loop's thread ran above which the router is overloaded
 * @param maxLoopRunnable    percent of the window the loop's thread was runnable (on a CPU, or waiting on a run queue
 *                           for one) above which the router is overloaded; 100 turns the measure off
 * @param maxQueuedTasks     tasks queued on the event loop above which the router is overloaded
 * @param maxCallsInProgress proxied requests without a final response at which a new one is refused
 * @param maxUdpQueue        percent of its receive buffer a UDP listening socket has queued, above which (in any
 *                           sample of the window) the router is overloaded
 * @param maxUdpDrops        datagrams dropped at the UDP listening sockets within one sample above which (in any
 *                           sample of the window) the router is overloaded
 * @param newCallThread      where the router has ports for new calls (docs/security.md), a thread of their own (the
 *                           door) reads them and answers the new calls it sheds there, beside the event loop; false:
 *                           the event loop reads them; null: {@link #door} decides
 */
public record OverloadSettings(Boolean enabled, Duration sampleInterval, Duration window, Duration maxLoopLag,
                               Integer maxLoopBusy, Integer maxQueuedTasks, Integer maxCallsInProgress,
                               Integer maxUdpQueue, Integer maxUdpDrops, Integer maxLoopRunnable,
                               Boolean newCallThread) {

    /** A tenth of T1 (500 ms): the guard reacts well before callers start retransmitting, which doubles the load. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(50);
    /**
     * Long enough that a burst, a GC pause or a cold start's class loading (a few hundred ms of a busy or late loop)
     * is not taken for overload; short enough that a real backlog is met within a second, before callers retransmit
     * more than once (T1 500 ms, then 1 s).
     */
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(1);
    /**
     * Every message waits about as long as the probe: at 100 ms behind the router still answers INVITEs long before
     * T1 (500 ms), so shedding starts while retransmissions have not yet multiplied the load.
     */
    public static final Duration DEFAULT_MAX_LOOP_LAG = Duration.ofMillis(100);
    /**
     * The one SIP thread on a CPU 90% of the time is at its limit: a single-threaded loop near 100% no longer waits
     * for work, the UDP socket buffer fills and setup times climb (issue 9: p99 0.9-3.5 s); the last 10% absorbs
     * bursts and the 503s themselves.
     */
    public static final int DEFAULT_MAX_LOOP_BUSY = 90;
    /**
     * Off by default (100: the measure is not judged at all, not even for the 80% of calm). A loop runnable 95% of a
     * whole window had almost no moment without work ready, whether its own work or a CPU it did not get kept it
     * busy; but at the bench's clean rate the one loop already needs about 0.9 of a CPU (0.14 ms x 6,400 calls/s) and
     * shares 2 cores with the load generator: it was runnable 87-100% of each second in 6,400 calls/s steps (runs of
     * 2026-12-06, docs/decisions.md "Overload: no failover while behind, a starved loop counts"), so any limit under
     * 100 would shed at or near the clean rate on such a machine. Set 95 where the router has cores of its own and a
     * loop starved by a neighbour is the risk; the UDP receive queues see the backlog itself either way.
     */
    public static final int DEFAULT_MAX_LOOP_RUNNABLE = 100;
    /** The value that turns the runnable measure off. */
    public static final int LOOP_RUNNABLE_OFF = 100;
    /** Each task is a dispatcher answer or lookup result: 10,000 waiting means the loop is seconds behind. */
    public static final int DEFAULT_MAX_QUEUED_TASKS = 10_000;
    /**
     * About 1.6 s of the highest clean rate measured (about 6,000 calls/s, docs/performance.md): nodes that stop
     * answering promptly pile calls up here, each holding a copy of its request and its timers.
     */
    public static final int DEFAULT_MAX_CALLS_IN_PROGRESS = 10_000;
    /**
     * Half the socket's receive buffer waiting to be read is a loop far behind (each datagram waits as long as the
     * loop takes to read the half before it); the other half absorbs the datagrams that arrive before shedding
     * lightens the load, so that none is dropped.
     */
    public static final int DEFAULT_MAX_UDP_QUEUE = 50;
    /**
     * Any: a datagram the kernel drops is a request or response lost, which its sender retransmits (more load), and the
     * one sign that needs no threshold to mean the router did not keep up.
     */
    public static final int DEFAULT_MAX_UDP_DROPS = 0;
    /** The overloaded state ends when every measure is under this percentage of its limit. */
    public static final int CLEAR_PERCENT = 80;

    public static final OverloadSettings DEFAULTS = new OverloadSettings(null, null, null, null, null, null, null,
            null, null, null, null);

    public OverloadSettings {
        enabled = enabled == null || enabled;
        sampleInterval = sampleInterval == null ? DEFAULT_SAMPLE_INTERVAL : sampleInterval;
        window = window == null ? DEFAULT_WINDOW : window;
        maxLoopLag = maxLoopLag == null ? DEFAULT_MAX_LOOP_LAG : maxLoopLag;
        maxLoopBusy = maxLoopBusy == null ? DEFAULT_MAX_LOOP_BUSY : maxLoopBusy;
        maxQueuedTasks = maxQueuedTasks == null ? DEFAULT_MAX_QUEUED_TASKS : maxQueuedTasks;
        maxCallsInProgress = maxCallsInProgress == null ? DEFAULT_MAX_CALLS_IN_PROGRESS : maxCallsInProgress;
        maxUdpQueue = maxUdpQueue == null ? DEFAULT_MAX_UDP_QUEUE : maxUdpQueue;
        maxUdpDrops = maxUdpDrops == null ? DEFAULT_MAX_UDP_DROPS : maxUdpDrops;
        maxLoopRunnable = maxLoopRunnable == null ? DEFAULT_MAX_LOOP_RUNNABLE : maxLoopRunnable;
        if (sampleInterval.toMillis() < 10 || sampleInterval.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new ConfigException("sample-interval", sampleInterval.toMillis() + "ms (expected: 10ms..1s, default"
                    + " 50ms)");
        }
        if (window.compareTo(sampleInterval) < 0 || window.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigException("window", window.toMillis() + "ms (expected: from the sample interval up to 1m,"
                    + " default 1s)");
        }
        if (maxLoopLag.compareTo(sampleInterval) < 0 || maxLoopLag.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new ConfigException("max-loop-lag", maxLoopLag.toMillis() + "ms (expected: from the sample"
                    + " interval up to 10s, default 100ms)");
        }
        if (maxLoopBusy < 10 || maxLoopBusy > 100) {
            throw new ConfigException("max-loop-busy", maxLoopBusy + " (expected: a percentage 10..100, default "
                    + DEFAULT_MAX_LOOP_BUSY + ")");
        }
        if (maxLoopRunnable < 10 || maxLoopRunnable > 100) {
            throw new ConfigException("max-loop-runnable", maxLoopRunnable + " (expected: a percentage 10..100, 100"
                    + " turns it off, default " + DEFAULT_MAX_LOOP_RUNNABLE + ")");
        }
        if (maxQueuedTasks < 10) {
            throw new ConfigException("max-queued-tasks", maxQueuedTasks + " (expected: 10 or more, default "
                    + DEFAULT_MAX_QUEUED_TASKS + ")");
        }
        if (maxCallsInProgress < 1) {
            throw new ConfigException("max-calls-in-progress", maxCallsInProgress + " (expected: 1 or more, default "
                    + DEFAULT_MAX_CALLS_IN_PROGRESS + ")");
        }
        if (maxUdpQueue < 1 || maxUdpQueue > 100) {
            throw new ConfigException("max-udp-queue", maxUdpQueue + " (expected: a percentage of the receive buffer"
                    + " 1..100, default " + DEFAULT_MAX_UDP_QUEUE + ")");
        }
        if (maxUdpDrops < 0) {
            throw new ConfigException("max-udp-drops", maxUdpDrops + " (expected: 0 or more datagrams per sample,"
                    + " default " + DEFAULT_MAX_UDP_DROPS + ")");
        }
    }

    /**
     * Whether ports for new calls get a door (a thread of their own): as set, or, when {@code new-call-thread} is
     * absent, where the JVM sees {@code availableProcessors} of 2 or more (its count follows a container's CPU quota).
     * The door helps only with a core beside the loop's: on one, its CPU (framing every datagram of the port) is taken
     * from the loop, and the bench's router on half a core held no rate clean with it (4,400 calls/s without).
     */
    public boolean door(int availableProcessors) {
        return newCallThread != null ? newCallThread : availableProcessors >= 2;
    }
}
