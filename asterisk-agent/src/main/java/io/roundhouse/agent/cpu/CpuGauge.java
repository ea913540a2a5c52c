package io.roundhouse.agent.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Host CPU use from /proc/stat deltas, and the Asterisk process's own from /proc/&lt;pid&gt;/stat when a process named
 * {@code asterisk} exists, both smoothed by an exponentially weighted moving average.
 *
 * <p>Smoothing: {@link #sample()} is called once per second; {@code alpha = 1 - 2^(-1/5)} (about 0.13) gives a
 * half-life of 5 samples, i.e. 5 s: a load step shows half its size after 5 s and 94% after 20 s, while a one-second
 * spike moves the published value by only 13% of its size, so least-loaded routing does not chase noise.
 *
 * <p>Both values are percentages of the whole host (all cores together), 0..100, so they can be compared.
 * Thread-safe: {@link #sample()} runs on one scheduler thread, readers may be anywhere.
 */
public final class CpuGauge {

    private static final Logger log = LoggerFactory.getLogger(CpuGauge.class);

    /** EWMA weight of the newest sample: half-life of 5 samples. */
    public static final double ALPHA = 1 - Math.pow(2, -1.0 / 5);
    /** Samples between searches for the Asterisk process while none is found. */
    private static final int PID_SEARCH_EVERY = 10;

    private final Path proc;
    private CpuTimes lastHost;
    private CpuTimes lastProcess;
    private long pid = -1;
    private int samplesSinceSearch = PID_SEARCH_EVERY;
    private volatile double hostPercent;
    private volatile double asteriskPercent = Double.NaN;
    private boolean hostWarned;
    private boolean hostSeeded;

    /** @param proc the proc file system root ({@code /proc}; a folder of sample files in tests) */
    public CpuGauge(Path proc) {
        this.proc = proc;
    }

    /** Smoothed host CPU use, 0..100 (0 until two samples were taken). */
    public double hostPercent() {
        return hostPercent;
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
            double busy = clamp(100.0 * (elapsed - (host.idle() - lastHost.idle())) / elapsed);
            hostPercent = hostSeeded ? smooth(hostPercent, busy) : busy;
            hostSeeded = true;
        }
        sampleAsterisk(elapsed);
        lastHost = host;
    }

    private void sampleAsterisk(long hostElapsed) {
        if (pid < 0 && ++samplesSinceSearch >= PID_SEARCH_EVERY) {
            samplesSinceSearch = 0;
            pid = findAsterisk();
            lastProcess = null;
            if (pid > 0) {
                log.info("Asterisk process found: pid {}", pid);
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

    private long findAsterisk() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path entry : entries) {
                try {
                    if ("asterisk".equals(Files.readString(entry.resolve("comm"), StandardCharsets.US_ASCII).strip())) {
                        return Long.parseLong(entry.getFileName().toString());
                    }
                } catch (IOException | NumberFormatException e) {
                    // A process that exited while we looked, or a non-process entry: not Asterisk.
                    log.trace("skipping {}: {}", entry, e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("cannot list {}: {}", proc, e.toString());
        }
        return -1;
    }

    private static double smooth(double previous, double sample) {
        return previous + ALPHA * (sample - previous);
    }

    private static double clamp(double percent) {
        return Math.max(0, Math.min(100, percent));
    }
}
