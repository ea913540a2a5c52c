package io.roundhouse.shared.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Sentinel of this JVM's own ({@code redis-server <conf> --sentinel}) on a free loopback port, watching a
 * {@link PrivateRedis} as the only member of master {@code masterName} (quorum 1). For tests of the Sentinel settings.
 *
 * <pre>
 * try (PrivateRedis master = TestRedis.startPrivate();
 *      PrivateSentinel sentinel = PrivateSentinel.watch(master, "rh")) {
 *     RedisSettings s = new RedisSettings(master.url(), prefix, timeout, timeout, "rh", List.of(sentinel.hostPort()));
 * }
 * </pre>
 */
public final class PrivateSentinel implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process process;

    private PrivateSentinel(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Starts a Sentinel monitoring {@code master} under {@code masterName}; returns once it answers PING. */
    public static PrivateSentinel watch(PrivateRedis master, String masterName) {
        Path binary = PrivateRedis.redisServer();
        try {
            Path dir = Files.createTempDirectory("rh-sentinel-");
            int port = PrivateRedis.freePort();
            Path conf = dir.resolve("sentinel.conf"); // Sentinel rewrites its file, so it must be its own
            Files.writeString(conf, String.join("\n",
                    "port " + port,
                    "bind 127.0.0.1",
                    "dir " + dir,
                    "sentinel monitor " + masterName + " 127.0.0.1 " + master.port() + " 1",
                    ""));
            Path log = dir.resolve("sentinel.log");
            Process p = new ProcessBuilder(binary.toString(), conf.toString(), "--sentinel")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            PrivateSentinel sentinel = new PrivateSentinel(dir, port, p);
            long deadline = System.nanoTime() + PrivateRedis.START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("redis sentinel on port " + port + " exited with " + p.exitValue()
                            + ":\n" + PrivateRedis.tail(log));
                }
                if (PrivateRedis.answersPing(port)) {
                    return sentinel;
                }
                Thread.sleep(20);
            }
            sentinel.close();
            throw new IllegalStateException("redis sentinel on port " + port + " did not answer PING within "
                    + PrivateRedis.START_TIMEOUT + ":\n" + PrivateRedis.tail(log));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a redis sentinel", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting a redis sentinel", e);
        }
    }

    /** {@code 127.0.0.1:<port>}, as written in {@code redis.sentinel.nodes}. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(PrivateRedis.STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(PrivateRedis.STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("PrivateSentinel: could not remove " + dir + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "PrivateSentinel[" + hostPort() + ", dir=" + dir + "]";
    }
}
