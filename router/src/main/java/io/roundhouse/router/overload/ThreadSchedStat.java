package io.roundhouse.router.overload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread's run-queue wait from Linux's {@code schedstat} of that thread, one line written by the kernel's
 * {@code proc_pid_schedstat}:
 *
 * <pre>
 * 214817 439105 2
 * </pre>
 *
 * <p>nanoseconds on a CPU ({@code se.sum_exec_runtime}), nanoseconds runnable but waiting on a run queue
 * ({@code sched_info.run_delay}) and the number of times it was put on a CPU. A kernel without scheduler statistics
 * ({@code CONFIG_SCHED_INFO} off) writes {@code 0 0 0}: that counts as absent.
 *
 * <p>Opened once, on the thread it describes ({@code /proc/thread-self} names the opening thread; the open file keeps
 * describing that thread whoever reads it), and read at each sample from offset 0 into one reused buffer (procfs
 * writes the line anew for each read from the start), parsed in place: one {@code pread} of a file the kernel makes
 * from memory, a few microseconds, no allocation, never a wait on a disk. A read that fails keeps the last value (one
 * log line per failing stretch).
 */
final class ThreadSchedStat implements RunQueueWait {

    private static final Logger log = LoggerFactory.getLogger(ThreadSchedStat.class);
    /** The calling thread's statistics. */
    static final Path CURRENT_THREAD = Path.of("/proc/thread-self/schedstat");
    /** Three decimal numbers of at most 20 digits each, with their separators. */
    private static final int LINE = 80;

    private final Path path;
    private final FileChannel file;
    private final ByteBuffer buffer = ByteBuffer.allocate(LINE);
    private long wait;
    /** Where {@link #number} reads next in {@link #buffer}. */
    private int at;
    private boolean failing;

    private ThreadSchedStat(Path path, FileChannel file) {
        this.path = path;
        this.file = file;
    }

    /**
     * The calling thread's run-queue wait; {@link RunQueueWait#ABSENT} (with one line in the log saying why) where it
     * cannot be read.
     */
    static RunQueueWait ofCurrentThread() {
        return open(CURRENT_THREAD);
    }

    /** The run-queue wait of the thread {@code path} describes (a fixture in tests); absent where unreadable. */
    static RunQueueWait open(Path path) {
        FileChannel ch = null;
        String why;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            ThreadSchedStat stat = new ThreadSchedStat(path, ch);
            long onCpu = stat.read();
            if (onCpu > 0) {
                log.info("run-queue wait of the SIP event loop read from {} (max-loop-runnable counts it)", path);
                return stat;
            }
            why = path + " says 0 ns on a CPU: the kernel keeps no scheduler statistics";
        } catch (IOException | RuntimeException e) {
            why = e.toString();
        }
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                log.debug("closing {}: {}", path, e.toString());
            }
        }
        log.info("run-queue wait of the SIP event loop not read ({}): max-loop-runnable counts its CPU time alone",
                why);
        return ABSENT;
    }

    @Override
    public long waitNanos() {
        try {
            read();
            if (failing) {
                failing = false;
                log.info("{} readable again", path);
            }
        } catch (IOException | RuntimeException e) {
            if (!failing) {
                failing = true;
                log.warn("cannot read {}: {} (the last run-queue wait stays)", path, e.toString());
            }
        }
        return wait;
    }

    /** Reads the line, keeps its wait and returns its time on a CPU. */
    private long read() throws IOException {
        buffer.clear();
        long position = 0;
        while (buffer.hasRemaining()) {
            int n = file.read(buffer, position);
            if (n <= 0) {
                break;
            }
            position += n;
        }
        at = 0;
        long onCpu = number();
        wait = number();
        return onCpu;
    }

    /** The decimal number at {@link #at} (after any spaces), moving {@link #at} past it. */
    private long number() {
        byte[] line = buffer.array();
        int length = buffer.position();
        int i = at;
        while (i < length && line[i] == ' ') {
            i++;
        }
        int start = i;
        long value = 0;
        while (i < length && line[i] >= '0' && line[i] <= '9') {
            if (i - start >= 19) {
                throw new IllegalArgumentException("number too long at offset " + start);
            }
            value = value * 10 + (line[i] - '0');
            i++;
        }
        if (i == start) {
            throw new IllegalArgumentException("no number at offset " + start + " of '"
                    + new String(line, 0, length, java.nio.charset.StandardCharsets.US_ASCII).strip() + "'");
        }
        at = i;
        return value;
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", path, e.toString());
        }
    }
}
