package io.roundhouse.shared.testing;

import io.roundhouse.shared.config.RedisSettings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of this JVM's own, on a free loopback port, without persistence
 * ({@code --save "" --appendonly no}), killed at JVM exit at the latest. It can be stopped and started again on the
 * same port, for tests of "Redis went away mid-run and came back".
 *
 * <pre>
 * try (PrivateRedis redis = TestRedis.startPrivate()) {
 *     RedisState state = new RedisState(redis.settings("rhtest:restart:"));
 *     redis.stop();   // state calls now fail with StateStoreException
 *     redis.start();  // same port, empty dataset
 * }
 * </pre>
 *
 * <p>{@code redis-server} is taken from {@code PATH} ({@code .ci/run} installs Debian's); where there is none, from
 * the binary that the test dependency {@code com.github.codemonstur:embedded-redis} ships (Linux x86-64), so that a
 * machine with only a JDK runs the suite too.
 */
public final class PrivateRedis implements AutoCloseable {

    /** Time for a redis-server to accept connections; it needs milliseconds, a loaded CI machine a few seconds. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private static final Set<PrivateRedis> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(PrivateRedis::kill), "private-redis-reaper"));
    }

    private final Path binary;
    private final Path dir;
    private int port;
    private Process process;

    private PrivateRedis(Path binary, Path dir) {
        this.binary = binary;
        this.dir = dir;
    }

    /** Starts a new server on a free port. */
    static PrivateRedis launch() {
        Path binary = redisServer();
        Path dir;
        try {
            dir = Files.createTempDirectory("rh-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for a private redis-server", e);
        }
        PrivateRedis redis = new PrivateRedis(binary, dir);
        // Another process may take the free port between our probe and redis-server's bind: try a few ports.
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            redis.port = freePort();
            try {
                redis.start();
                return redis;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    /** The loopback port, the same across {@link #stop()} and {@link #start()}. */
    public synchronized int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>/0}. */
    public String url() {
        return "redis://127.0.0.1:" + port() + "/0";
    }

    /** Settings for this server with the given key prefix and short timeouts (tests want failures fast). */
    public RedisSettings settings(String keyPrefix) {
        return new RedisSettings(url(), keyPrefix, Duration.ofSeconds(1), Duration.ofSeconds(1), null, List.of());
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server on its port (again), with an empty dataset; returns once it answers PING. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path log = dir.resolve("redis-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", dir.toString()));
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary + ": " + e.getMessage(), e);
        }
        RUNNING.add(this);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(this);
                throw new IllegalStateException("redis-server on port " + port + " exited with " + process.exitValue()
                        + "; its log " + log + ":\n" + tail(log));
            }
            if (answersPing()) {
                return;
            }
            pause(Duration.ofMillis(20));
        }
        kill();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING within " + START_TIMEOUT
                + "; its log " + log + ":\n" + tail(log));
    }

    /** Stops the server (its connections break, its data is gone); returns once the process has exited. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
        RUNNING.remove(this);
    }

    /** Stops the server and removes its directory. */
    @Override
    public void close() {
        stop();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // A leftover log in the temp directory harms nothing; say so rather than fail the test run.
            System.err.println("PrivateRedis: could not remove " + dir + ": " + e);
        }
    }

    private synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private boolean answersPing() {
        return answersPing(port);
    }

    static boolean answersPing(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[7];
            int n = s.getInputStream().readNBytes(buf, 0, 7);
            return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** The binary shipped in the embedded-redis test dependency, for machines without redis-server on PATH. */
    private static final String SHIPPED_BINARY = "/redis-server-6.2.6-v5-linux-amd64";
    private static Path shipped;

    /** redis-server from PATH, else the one shipped in a test dependency (extracted once per JVM). */
    static synchronized Path redisServer() {
        try {
            return findOnPath("redis-server");
        } catch (IllegalStateException notOnPath) {
            if (shipped != null) {
                return shipped;
            }
            boolean linuxAmd64 = System.getProperty("os.name").startsWith("Linux")
                    && System.getProperty("os.arch").equals("amd64");
            try (var in = PrivateRedis.class.getResourceAsStream(SHIPPED_BINARY)) {
                if (!linuxAmd64 || in == null) {
                    throw notOnPath;
                }
                Path file = Files.createTempFile("rh-redis-server-", "");
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                if (!file.toFile().setExecutable(true, true)) {
                    throw new IllegalStateException("cannot make " + file + " executable", notOnPath);
                }
                file.toFile().deleteOnExit();
                shipped = file;
                return file;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot extract the shipped redis-server " + SHIPPED_BINARY, e);
            }
        }
    }

    static Path findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (d.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(d, name);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException(name + " is not on PATH (" + path + "). Tests need a real Redis: set REDIS_URL"
                + " (e.g. redis://127.0.0.1:6379/0) or install redis-server (apt-get install redis-server; .ci/run does).");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for redis-server", e);
        }
    }
}
