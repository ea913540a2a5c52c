package io.roundhouse.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A /proc of an idle host: its {@code stat} counts idle ticks only, and keeps counting (as a real one does), so the
 * agent's CPU gauge measures 0% busy whatever else this machine runs during the test. No Asterisk process in it.
 */
final class IdleProc {

    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "idle-proc-ticker");
        t.setDaemon(true);
        return t;
    });

    private IdleProc() {
    }

    /** A fresh folder whose {@code stat} gains 100 idle ticks every 100 ms, until the JVM exits. */
    static Path start() {
        try {
            Path dir = Files.createTempDirectory("idle-proc");
            dir.toFile().deleteOnExit();
            AtomicLong idle = new AtomicLong(10_000);
            write(dir, idle.get());
            TICKER.scheduleAtFixedRate(() -> write(dir, idle.addAndGet(100)), 100, 100, TimeUnit.MILLISECONDS);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path dir, long idle) {
        try {
            // Replaced whole, so the gauge never reads half a file.
            Path next = Files.writeString(dir.resolve("stat.next"), "cpu  100 0 100 " + idle + " 0 0 0 0 0 0\n");
            Files.move(next, dir.resolve("stat"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dir.resolve("stat").toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
