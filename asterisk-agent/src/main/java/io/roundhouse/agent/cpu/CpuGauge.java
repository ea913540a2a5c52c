package io.roundhouse.agent.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host CPU use from /proc/stat deltas, and this node's Asterisk process's own from /proc/&lt;pid&gt;/stat (the process
 * {@link AsteriskProcess} finds), both smoothed by an exponentially weighted moving average.
 *
 * <p>Smoothing: {@link #sample()} is called once per second; {@code alpha = 1 - 2^(-1/5)} (about 0.13) gives a
 * half-life of 5 samples, i.e. 5 s: a load step shows half its size after 5 s and 94% after 20 s, while a one-second
 * spike moves the published value by only 13% of its size, so least-loaded routing does not chase noise.
 *
 * <p>Representative first value: the first interval after start holds the agent's own start-up (JVM, connections)
 * and is thrown away; the host value is then unknown ({@link #hostKnown()} false) until {@value #WARM_UP_INTERVALS}
 * more intervals were measured, and is seeded with their mean. Seeding from the start-up interval instead made a
 * restarted node look busy for 20-30 s, so least-loaded steered calls away from it.
 *
 * <p>Both values are percentages of the whole host (all cores together), 0..100, so they can be compared.
 * Thread-safe: {@link #sample()} runs on one scheduler thread, readers may be anywhere.
 */
public final class CpuGauge {

    private static final Logger log = LoggerFactory.getLogger(CpuGauge.class);

    /** EWMA weight of the newest sample: half-life of 5 samples. */
    public static final double ALPHA = 1 - Math.pow(2, -1.0 / 5);
    /** Intervals measured, after the discarded start-up one, before the host value is known. */
    public static final int WARM_UP_INTERVALS = 3;
    /** Samples between searches for the Asterisk process while none is found. */
    private static final int PID_SEARCH_EVERY = 10;

    private final Path proc;
    private final AsteriskProcess asterisk;
    private CpuTimes lastHost;
    private CpuTimes warmUpStart;
    private int intervals;
    private CpuTimes lastProcess;
    private long pid = -1;
    private String lastSearch = "";
    private int samplesSinceSearch = PID_SEARCH_EVERY;
    private volatile double hostPercent;
    private volatile boolean hostKnown;
    private volatile double asteriskPercent = Double.NaN;
    private boolean hostWarned;

    /**
     * @param proc     the proc file system root ({@code /proc}; a folder of sample files in tests)
     * @param asterisk finds this node's Asterisk process
     */
    public CpuGauge(Path proc, AsteriskProcess asterisk) {
        this.proc = proc;
        this.asterisk = asterisk;
    }

    /** Smoothed host CPU use, 0..100; 0 while not {@link #hostKnown()}. */
    public double hostPercent() {
        return hostPercent;
    }

    /** Whether {@link #hostPercent()} holds a representative measurement yet. */
    public boolean hostKnown() {
        return hostKnown;
    }

    /** Smoothed CPU use of the Asterisk process, or empty when no such process is known. */
    public OptionalDouble asteriskPercent() {
        double v = asteriskPercent;
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** The Asterisk process id in use, if one was found. */
    public OptionalLong asteriskPid() {
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    /** Takes one sample: call once per second. Never throws: an unreadable /proc is logged and the value kept. */
    public synchronized void sample() {
        CpuTimes host;
        try {
            host = ProcStatText.host(Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII));
            hostWarned = false;
        } catch (IOException | RuntimeException e) {
            if (!hostWarned) {
                hostWarned = true;
                log.warn("cannot read {}: {}; CPU use stays at {}%", proc.resolve("stat"), e.toString(), hostPercent);
            }
            return;
        }
        long elapsed = lastHost == null ? 0 : host.total() - lastHost.total();
        if (elapsed > 0) {
            intervals++;
            if (intervals == 1) {
                warmUpStart = host; // the start-up interval ends here: measure from now on
            } else if (!hostKnown && intervals == 1 + WARM_UP_INTERVALS) {
                hostPercent = busy(warmUpStart, host);
                hostKnown = true;
                log.info("host CPU known after {} s of measurement: {}%", WARM_UP_INTERVALS,
                        Math.round(hostPercent * 10) / 10.0);
            } else if (hostKnown) {
                hostPercent = smooth(hostPercent, busy(lastHost, host));
            }
        }
        sampleAsterisk(elapsed);
        lastHost = host;
    }

    private static double busy(CpuTimes from, CpuTimes to) {
        long elapsed = to.total() - from.total();
        return clamp(100.0 * (elapsed - (to.idle() - from.idle())) / elapsed);
    }

    private void sampleAsterisk(long hostElapsed) {
        if (pid < 0 && ++samplesSinceSearch >= PID_SEARCH_EVERY) {
            samplesSinceSearch = 0;
            AsteriskProcess.Found found = asterisk.find();
            pid = found.pid();
            lastProcess = null;
            if (!found.why().equals(lastSearch)) {
                lastSearch = found.why();
                if (pid > 0) {
                    log.info("Asterisk process: pid {}, {}", pid, found.why());
                } else {
                    log.warn("Asterisk process not found ({}): no Asterisk CPU gauge until it is", found.why());
                }
            }
        }
        if (pid < 0) {
            return;
        }
        CpuTimes times;
        try {
            times = ProcStatText.process(Files.readString(proc.resolve(pid + "/stat"), StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            log.info("Asterisk process {} is gone", pid);
            pid = -1;
            lastSearch = "";
            asteriskPercent = Double.NaN;
            return;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read {}: {}", proc.resolve(pid + "/stat"), e.toString());
            return;
        }
        if (lastProcess != null && hostElapsed > 0) {
            double used = clamp(100.0 * (times.total() - lastProcess.total()) / hostElapsed);
            double previous = asteriskPercent;
            asteriskPercent = Double.isNaN(previous) ? used : smooth(previous, used);
        }
        lastProcess = times;
    }

    private static double smooth(double previous, double sample) {
        return previous + ALPHA * (sample - previous);
    }

    private static double clamp(double percent) {
        return Math.max(0, Math.min(100, percent));
    }
}
