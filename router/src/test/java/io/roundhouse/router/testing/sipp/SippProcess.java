package io.roundhouse.router.testing.sipp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One sipp process on loopback, bounded in calls ({@code -m}) and time ({@code -timeout} plus a kill on overrun),
 * with its statistics, errors, screen and optionally every message traced into its own directory under
 * {@code target/sipp-runs/}.
 *
 * <p>Never leaves a process behind: {@link #close()} kills a sipp that is still running, and a JVM shutdown hook kills
 * any that a failed test did not close.
 */
public final class SippProcess implements AutoCloseable {

    /** The sipp binary: {@code -Dsipp.path=...}, else the Debian package's {@code /usr/bin/sipp}. */
    public static final Path SIPP = Path.of(System.getProperty("sipp.path", "/usr/bin/sipp"));

    /** Larger than sipp's default so bursts of 1,000 calls are not lost in the kernel (issue 3, pitfalls). */
    private static final int SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    /** How long sipp may take to flush its statistics and exit after its own -timeout or a quit command. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(15);
    private static final Duration LISTEN_BOUND = Duration.ofSeconds(10);
    private static final Path RUNS = Path.of("target", "sipp-runs");
    private static final AtomicInteger RUN_NUMBER = new AtomicInteger();
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "sipp-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path directory;
    private final int localPort;
    private final int controlPort;
    private final Duration maxDuration;
    private final boolean traced;
    private volatile SippResult result;

    private SippProcess(String name, Process process, Path directory, int localPort, int controlPort,
                        Duration maxDuration, boolean traced) {
        this.name = name;
        this.process = process;
        this.directory = directory;
        this.localPort = localPort;
        this.controlPort = controlPort;
        this.maxDuration = maxDuration;
        this.traced = traced;
    }

    /** A sipp running the scenario {@code sipp/<scenario>} from the test classpath. */
    public static Builder scenario(String scenario) {
        return new Builder(scenario);
    }

    /** The loopback port sipp sends and receives SIP on. */
    public int localPort() {
        return localPort;
    }

    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", localPort);
    }

    /** The directory holding this run's statistics, logs and scenario. */
    public Path directory() {
        return directory;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The messages sipp sent and received, when started with {@link Builder#traceMessages()}. */
    public SippMessageLog messages() {
        if (!traced) {
            throw new IllegalStateException("sipp " + name + ": messages were not traced (expected: traceMessages())");
        }
        return SippMessageLog.read(directory.resolve("messages.log"));
    }

    /**
     * Waits for sipp to finish its {@code -m} calls (or its own -timeout), killing it when it overruns its time
     * bound, and returns its final statistics.
     */
    public SippResult awaitExit() {
        return finish(maxDuration.plus(EXIT_GRACE));
    }

    /**
     * Asks sipp to quit gracefully through its control socket (it stops placing calls, lets running calls end and
     * writes its final statistics), killing it if it does not exit within the grace period.
     */
    public SippResult stop() {
        if (process.isAlive()) {
            byte[] quit = "q".getBytes(StandardCharsets.US_ASCII);
            try (DatagramSocket socket = new DatagramSocket()) {
                socket.send(new DatagramPacket(quit, quit.length, new InetSocketAddress("127.0.0.1", controlPort)));
            } catch (IOException e) {
                throw new UncheckedIOException("sipp " + name + ": cannot send quit to control port " + controlPort, e);
            }
        }
        return finish(EXIT_GRACE);
    }

    private synchronized SippResult finish(Duration bound) {
        if (result != null) {
            return result;
        }
        boolean killed = false;
        try {
            if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                killed = true;
                kill();
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sipp " + name + ": interrupted while waiting for it to exit", e);
        } finally {
            LIVE.remove(process);
        }
        try {
            SippStatistics stats = SippStatistics.read(directory.resolve("stats.csv"));
            result = new SippResult(killed ? -1 : process.exitValue(),
                    stats.counter("SuccessfulCall(C)"), stats.counter("FailedCall(C)"), stats.failureReasons(),
                    killed, diagnostics(stats.isEmpty()));
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("sipp " + name + ": cannot read statistics in " + directory, e);
        }
    }

    private String diagnostics(boolean noStatistics) throws IOException {
        StringBuilder text = new StringBuilder("sipp run " + directory.toAbsolutePath());
        if (noStatistics) {
            text.append("\n(no statistics written)");
        }
        for (String file : List.of("errors.log", "stdout.log")) {
            Path path = directory.resolve(file);
            if (Files.exists(path)) {
                String content = Files.readString(path, StandardCharsets.ISO_8859_1);
                if (!content.isBlank()) {
                    text.append("\n--- ").append(file).append(":\n")
                            .append(content, 0, Math.min(content.length(), 3000));
                }
            }
        }
        return text.toString();
    }

    private void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills sipp if it is still running; its statistics stay readable in {@link #directory()}. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
        LIVE.remove(process);
    }

    /** Options of one sipp run; every run is bounded by {@link #maxDuration(Duration)}. */
    public static final class Builder {
        private final String scenario;
        private SippTransport transport = SippTransport.UDP;
        private InetSocketAddress remote;
        private Integer calls;
        private int rate = 10;
        private Duration callDuration = Duration.ofMillis(100);
        private Duration maxDuration = Duration.ofSeconds(60);
        private boolean traceMessages;
        private final List<String> extra = new ArrayList<>();

        private Builder(String scenario) {
            this.scenario = Objects.requireNonNull(scenario, "scenario");
        }

        public Builder transport(SippTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Where a caller sends its requests (the router, or a UAS when checking scenarios sipp-to-sipp). */
        public Builder remote(InetSocketAddress remote) {
            this.remote = remote;
            return this;
        }

        /** Stop after this many calls ({@code -m}). */
        public Builder calls(int calls) {
            if (calls <= 0) {
                throw new IllegalArgumentException("calls: " + calls + " (expected: > 0)");
            }
            this.calls = calls;
            return this;
        }

        /** New calls per second ({@code -r}). */
        public Builder rate(int callsPerSecond) {
            if (callsPerSecond <= 0) {
                throw new IllegalArgumentException("rate: " + callsPerSecond + " (expected: > 0)");
            }
            this.rate = callsPerSecond;
            return this;
        }

        /** How long an answered call lasts before the caller hangs up ({@code -d}, the scenario's pause). */
        public Builder callDuration(Duration callDuration) {
            this.callDuration = callDuration;
            return this;
        }

        /** sipp quits with an error after this long ({@code -timeout -timeout_error}) and is killed soon after. */
        public Builder maxDuration(Duration maxDuration) {
            if (maxDuration.isNegative() || maxDuration.isZero()) {
                throw new IllegalArgumentException("maxDuration: " + maxDuration + " (expected: > 0)");
            }
            this.maxDuration = maxDuration;
            return this;
        }

        /** Keep every sent and received message ({@code -trace_msg}), readable with {@link #messages()}. */
        public Builder traceMessages() {
            this.traceMessages = true;
            return this;
        }

        /** Further sipp options, e.g. {@code -key name value}. */
        public Builder extraArgs(String... args) {
            extra.addAll(List.of(args));
            return this;
        }

        public SippProcess start() {
            if (!Files.isExecutable(SIPP)) {
                throw new IllegalStateException("sipp: " + SIPP + " is not executable (expected: the Debian package "
                        + "sip-tester installed, or -Dsipp.path=...)");
            }
            String runName = scenario.replace(".xml", "") + "-" + ProcessHandle.current().pid() + "-"
                    + RUN_NUMBER.incrementAndGet();
            Path directory = RUNS.resolve(runName);
            try {
                Files.createDirectories(directory);
                Path scenarioFile = directory.resolve(scenario);
                try (InputStream in = SippProcess.class.getResourceAsStream("/sipp/" + scenario)) {
                    if (in == null) {
                        throw new IllegalArgumentException("scenario: sipp/" + scenario
                                + " (expected: a file under src/test/resources/sipp)");
                    }
                    Files.copy(in, scenarioFile, StandardCopyOption.REPLACE_EXISTING);
                }
                int localPort = FreePorts.udpAndTcp();
                int controlPort = FreePorts.udpAndTcp();
                int mediaPort = FreePorts.mediaBlock();
                List<String> command = command(scenarioFile, directory, localPort, controlPort, mediaPort);
                Files.writeString(directory.resolve("command.txt"), String.join(" ", command) + "\n");
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(directory.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("stdout.log").toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                builder.environment().put("TERM", "dumb");
                Process process = builder.start();
                LIVE.add(process);
                if (transport == SippTransport.TCP && remote == null) {
                    awaitTcpListener(process, localPort);
                }
                return new SippProcess(runName, process, directory, localPort, controlPort, maxDuration,
                        traceMessages);
            } catch (IOException e) {
                throw new UncheckedIOException("sipp: cannot start " + scenario + " in " + directory, e);
            }
        }

        /**
         * A TCP callee is ready only once it listens: a caller started right after it would otherwise meet a
         * refused connection, which sipp does not retry. Read from the kernel's table rather than probed with a
         * connection, which sipp would count as a peer.
         */
        private void awaitTcpListener(Process process, int port) throws IOException {
            long deadline = System.nanoTime() + LISTEN_BOUND.toNanos();
            while (!TcpListeners.listening(port)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("sipp " + scenario + ": not listening on TCP port " + port
                            + " after " + LISTEN_BOUND.toMillis() + " ms (alive=" + process.isAlive() + ")");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("sipp " + scenario + ": interrupted waiting for its listener", e);
                }
            }
        }

        private List<String> command(Path scenarioFile, Path directory, int localPort, int controlPort,
                                     int mediaPort) {
            List<String> command = new ArrayList<>(List.of(SIPP.toString(),
                    "-sf", scenarioFile.toAbsolutePath().toString(),
                    "-i", "127.0.0.1", "-p", Integer.toString(localPort),
                    "-cp", Integer.toString(controlPort), "-mp", Integer.toString(mediaPort),
                    "-t", transport.option(),
                    "-nostdin",
                    "-buff_size", Integer.toString(SOCKET_BUFFER_BYTES),
                    "-r", Integer.toString(rate),
                    "-d", Long.toString(callDuration.toMillis()),
                    "-timeout", maxDuration.toSeconds() + "s", "-timeout_error",
                    "-trace_stat", "-stf", directory.resolve("stats.csv").toAbsolutePath().toString(), "-fd", "1",
                    "-trace_err", "-error_file", directory.resolve("errors.log").toAbsolutePath().toString(),
                    "-trace_screen", "-screen_file", directory.resolve("screen.log").toAbsolutePath().toString()));
            if (traceMessages) {
                command.addAll(List.of("-trace_msg",
                        "-message_file", directory.resolve("messages.log").toAbsolutePath().toString()));
            }
            if (remote == null) {
                // A callee must survive a request retransmitted after it answered (the proxy's Timer A fires when
                // the answer reaches it late, RFC 3261 17.1.1.2): sipp aborts the call on it by default. The
                // scenario still requires its INVITE, ACK and BYE in order; unexpected messages stay in errors.log.
                command.addAll(List.of("-default_behaviors", "all,-abortunexp"));
            }
            if (calls != null) {
                command.addAll(List.of("-m", Integer.toString(calls)));
            }
            command.addAll(extra);
            if (remote != null) {
                command.add(remote.getAddress().getHostAddress() + ":" + remote.getPort());
            }
            return command;
        }
    }
}
