package io.roundhouse.sim.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The demo's Redis: the one at {@code REDIS_URL} when set, else a {@code redis-server} from PATH, else the binary the
 * embedded-redis artifact ships (Linux x86-64), run without persistence on a free loopback port. Real Redis always.
 */
final class RedisServer implements AutoCloseable {

    private static final String SHIPPED = "/redis-server-6.2.6-v5-linux-amd64";

    private final String url;
    private final String origin;
    private final ChildProcess process;

    private RedisServer(String url, String origin, ChildProcess process) {
        this.url = url;
        this.origin = origin;
        this.process = process;
    }

    static RedisServer start(String redisUrl, Path workDir) {
        if (redisUrl != null && !redisUrl.isBlank()) {
            return new RedisServer(redisUrl, "REDIS_URL", null);
        }
        Path binary = onPath().orElseGet(() -> shipped(workDir));
        int port = FreePorts.tcp();
        ChildProcess process = ChildProcess.start("redis", List.of(binary.toString(), "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", workDir.toString()), java.util.Map.of(), workDir.resolve("redis.log"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!answersPing(port)) {
            if (!process.alive() || System.nanoTime() > deadline) {
                process.close();
                throw new IllegalStateException("redis-server " + binary + " did not start on port " + port
                        + "; see " + workDir.resolve("redis.log"));
            }
            sleep(20);
        }
        return new RedisServer("redis://127.0.0.1:" + port + "/0", binary.toString(), process);
    }

    String url() {
        return url;
    }

    /** Where it came from: {@code REDIS_URL} or the binary run. */
    String origin() {
        return origin;
    }

    /** {@code redis-cli} arguments that reach it ({@code -p <port>} or {@code -u <url>}). */
    String cliArguments() {
        return origin.equals("REDIS_URL") ? "-u \"$REDIS_URL\"" : "-p " + java.net.URI.create(url).getPort();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    private static Optional<Path> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Path shipped(Path workDir) {
        Path target = workDir.resolve("redis-server");
        try (InputStream in = RedisServer.class.getResourceAsStream(SHIPPED)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on PATH and none in the jar (" + SHIPPED
                        + "): install Redis or set REDIS_URL");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            if (!target.toFile().setExecutable(true)) {
                throw new IllegalStateException("cannot make " + target + " executable");
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract redis-server to " + target, e);
        }
    }

    private static boolean answersPing(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = s.getInputStream().readNBytes(7);
            return new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Redis", e);
        }
    }
}
