package io.roundhouse.router.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event loop's run-queue wait as the guard reads it: from a fixture line as the kernel writes it, with the fallback
 * where it cannot be read, and from the real kernel for a thread made to wait for a CPU.
 */
@Timeout(20)
class ThreadSchedStatTest {

    @TempDir
    Path dir;

    private Path schedstat(String line) throws IOException {
        Path file = dir.resolve("schedstat");
        Files.writeString(file, line);
        return file;
    }

    @Test
    void theSecondNumberIsTheWaitAndEachReadSeesTheLineAnew() throws IOException {
        Path file = schedstat("214817 439105 2\n");
        RunQueueWait wait = ThreadSchedStat.open(file);
        try {
            assertThat(wait).isInstanceOf(ThreadSchedStat.class);
            assertThat(wait.waitNanos()).isEqualTo(439_105);
            Files.writeString(file, "98765432101 12345678901234 812\n");
            assertThat(wait.waitNanos()).isEqualTo(12_345_678_901_234L);
        } finally {
            wait.close();
        }
    }

    @Test
    void aLineThatStopsParsingKeepsTheLastWait() throws IOException {
        Path file = schedstat("5000 700 3\n");
        RunQueueWait wait = ThreadSchedStat.open(file);
        try {
            Files.writeString(file, "5000 \n");
            assertThat(wait.waitNanos()).isEqualTo(700);
            Files.writeString(file, "9000 900 4\n");
            assertThat(wait.waitNanos()).as("readable again").isEqualTo(900);
        } finally {
            wait.close();
        }
    }

    @Test
    void aKernelWithoutSchedulerStatisticsOrNoFileIsAbsent() throws IOException {
        assertThat(ThreadSchedStat.open(schedstat("0 0 0\n"))).isSameAs(RunQueueWait.ABSENT);
        assertThat(ThreadSchedStat.open(dir.resolve("missing"))).isSameAs(RunQueueWait.ABSENT);
        assertThat(ThreadSchedStat.open(schedstat("not numbers\n"))).isSameAs(RunQueueWait.ABSENT);
    }

    /**
     * Linux: the file opened on a thread keeps describing that thread when another reads it, and its wait grows while
     * that thread competes for the CPUs with more spinning threads than there are CPUs (for 300 ms at most).
     */
    @Test
    void onLinuxTheFileOpenedOnAThreadCountsThatThreadsWaitForACpu() throws Exception {
        assertThat(Files.isReadable(ThreadSchedStat.CURRENT_THREAD)).as("this test runs on Linux").isTrue();
        AtomicReference<RunQueueWait> opened = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        List<Thread> spinners = new ArrayList<>();
        Thread measured = new Thread(() -> {
            opened.set(ThreadSchedStat.ofCurrentThread());
            ready.countDown();
            spin(stop);
        }, "measured");
        measured.start();
        try {
            assertThat(ready.await(5, TimeUnit.SECONDS)).isTrue();
            RunQueueWait wait = opened.get();
            assertThat(wait).isInstanceOf(ThreadSchedStat.class);
            long before = wait.waitNanos();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors() + 1; i++) {
                Thread t = new Thread(() -> spin(stop), "spinner-" + i);
                t.start();
                spinners.add(t);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (wait.waitNanos() - before < TimeUnit.MILLISECONDS.toNanos(5) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(wait.waitNanos() - before).as("the measured thread's wait, read from this thread")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
            wait.close();
        } finally {
            stop.countDown();
            measured.join(5_000);
            for (Thread t : spinners) {
                t.join(5_000);
            }
        }
    }

    private static void spin(CountDownLatch stop) {
        long x = 0;
        while (stop.getCount() > 0) {
            x += System.nanoTime() & 1;
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
