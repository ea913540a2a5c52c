import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * SIP over TLS load for the bench (issue 14): places bounded numbers of calls (INVITE, ACK, BYE) at fixed rates over a
 * few long-lived TLS connections to the router, and reports completed and failed calls and the setup time (INVITE
 * written to 200 read) percentiles. Debian's sipp is built without TLS, hence this client. JDK only, one file:
 *
 * <pre>
 * java bench/tls/TlsLoad.java --make-certificate DIR     # DIR/router.crt and DIR/router.key for the router
 * java bench/tls/TlsLoad.java --target 127.0.0.1:5061 --trust DIR/router.crt --calls 200 --rate 100
 *      [--hold-ms 500] [--connections 4] [--service 1000]
 * java bench/tls/TlsLoad.java --target ... --trust ... --warmup-rates 800,1600 --warmup-seconds 10
 *      --rates 400,800,1600 --step-seconds 10 [--pause-seconds 3]      # clean-rate search, one JVM throughout
 * </pre>
 *
 * Connections are opened (handshakes done) before the first call, as a carrier's trunk keeps them: the figures are per
 * call over established TLS, not per handshake. A search keeps one process (and its JIT) for the warm-up and every
 * step, and stops at the first step that is not clean. A call is completed when its BYE got 200; it failed on any
 * other final answer, on no final answer within 32 s (Timer B) for the INVITE or the BYE, on a lost connection, or when
 * it is still running 45 s after its step's last call was placed (then the step ends). One machine-readable line per
 * step, {@code RESULT step=.. rate=.. attempted=.. completed=.. failed=.. p50_ms=.. p90_ms=.. p99_ms=.. max_ms=..
 * samples=..}, then {@code CLEAN rate=..} (the last clean step of the search, 0 for none). Exit status 0 when every
 * call of the last step completed, 1 otherwise, 2 on bad arguments.
 */
public final class TlsLoad {

    private static final long TIMER_B_NANOS = TimeUnit.SECONDS.toNanos(32);

    private final String host;
    private final int port;
    private final SSLContext context;
    private final long holdMillis;
    private final int connectionCount;
    private final String service;

    private final List<Connection> connections = new ArrayList<>();
    private final Map<String, Call> live = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "tls-load-timers");
        t.setDaemon(true);
        return t;
    });
    private final String runId = Long.toHexString(System.nanoTime());

    private TlsLoad(String host, int port, SSLContext context, long holdMillis, int connections, String service) {
        this.host = host;
        this.port = port;
        this.context = context;
        this.holdMillis = holdMillis;
        this.connectionCount = connections;
        this.service = service;
        // Thousands of calls a second each arm a 32 s timeout: cancelled ones must leave the queue at once.
        timers.setRemoveOnCancelPolicy(true);
    }

    /** One step: its calls at its rate, and what became of them. */
    private static final class Step {
        final String name;
        final int rate;
        final int calls;
        final boolean searched;
        final AtomicInteger completed = new AtomicInteger();
        final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        final long[] setupNanos;
        final AtomicInteger setups = new AtomicInteger();
        final CountDownLatch finished;

        Step(String name, int rate, int calls, boolean searched) {
            this.name = name;
            this.rate = rate;
            this.calls = calls;
            this.searched = searched;
            this.setupNanos = new long[calls];
            this.finished = new CountDownLatch(calls);
        }

        void fail(String reason) {
            failures.computeIfAbsent(reason, r -> new AtomicInteger()).incrementAndGet();
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--make-certificate")) {
            makeCertificate(Path.of(args[1]));
            return;
        }
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                usage("unexpected " + args[i]);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        if (args.length % 2 != 0) {
            usage("a value is missing after " + args[args.length - 1]);
        }
        String target = a.remove("target");
        String trust = a.remove("trust");
        if (target == null || trust == null || !target.contains(":")) {
            usage("--target host:port and --trust file.pem are required");
        }
        long hold = number(a.remove("hold-ms"), 500, "hold-ms");
        int connections = number(a.remove("connections"), 4, "connections");
        String service = a.getOrDefault("service", "1000");
        a.remove("service");
        List<Step> steps = new ArrayList<>();
        String rates = a.remove("rates");
        if (rates == null) {
            int rate = number(a.remove("rate"), 50, "rate");
            int calls = number(a.remove("calls"), 100, "calls");
            steps.add(new Step("run", rate, calls, true));
        } else {
            int warmupSeconds = number(a.remove("warmup-seconds"), 10, "warmup-seconds");
            String warmups = a.remove("warmup-rates");
            for (String w : warmups == null ? new String[0] : warmups.split(",")) {
                int rate = number(w, 0, "warmup-rates");
                steps.add(new Step("warmup-" + rate, rate, rate * warmupSeconds, false));
            }
            int stepSeconds = number(a.remove("step-seconds"), 10, "step-seconds");
            for (String r : rates.split(",")) {
                int rate = number(r, 0, "rates");
                steps.add(new Step("rate-" + rate, rate, rate * stepSeconds, true));
            }
        }
        int pause = number(a.getOrDefault("pause-seconds", "3"), 3, "pause-seconds");
        a.remove("pause-seconds");
        if (!a.isEmpty()) {
            usage("unknown options " + a.keySet());
        }
        int colon = target.lastIndexOf(':');
        TlsLoad load = new TlsLoad(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)),
                trusting(Path.of(trust)), hold, connections, service);
        System.exit(load.run(steps, pause) ? 0 : 1);
    }

    private static int number(String value, int otherwise, String name) {
        if (value == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        usage("--" + name + " " + value + " (expected: a whole number, 1 or more)");
        return 0;
    }

    private static void usage(String why) {
        System.err.println("tls-load: " + why);
        System.err.println("usage: java TlsLoad.java --target host:port --trust router.pem [--calls N --rate R |"
                + " --rates R1,R2.. [--step-seconds S] [--warmup-rates W1,.. --warmup-seconds S] [--pause-seconds S]]"
                + " [--hold-ms MS] [--connections C] [--service USER]");
        System.exit(2);
    }

    /**
     * A self-signed certificate for 127.0.0.1 and localhost made by the JDK's keytool, written as {@code router.crt}
     * and {@code router.key} (PKCS#8, owner-only: the router refuses a key others can read) in {@code dir}: the
     * bench's router presents it and this client trusts it. No openssl needed.
     */
    private static void makeCertificate(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("router.p12");
        Files.deleteIfExists(store);
        String password = "bench-only";
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "router", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7", "-keystore", store.toString(),
                "-storetype", "PKCS12", "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        Files.writeString(dir.resolve("router.crt"), pem("CERTIFICATE", ks.getCertificate("router").getEncoded()));
        Path key = dir.resolve("router.key");
        Files.deleteIfExists(key);
        Files.createFile(key, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        Files.writeString(key, pem("PRIVATE KEY", ks.getKey("router", password.toCharArray()).getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** A context that trusts the PEM certificates of {@code file} (the router's certificate or its CA). */
    private static SSLContext trusting(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int i = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private boolean run(List<Step> steps, int pauseSeconds) throws Exception {
        try {
            for (int i = 0; i < connectionCount; i++) {
                connections.add(new Connection(i));
            }
        } catch (IOException e) {
            System.out.println("tls-load: cannot open a TLS connection to " + host + ":" + port + ": " + e);
            System.out.println("CLEAN rate=0");
            return false;
        }
        String protocol = connections.get(0).socket.getSession().getProtocol();
        System.out.printf(Locale.ROOT, "tls-load: %d %s connections to %s:%d, calls held %d ms%n", connectionCount,
                protocol, host, port, holdMillis);
        int clean = 0;
        boolean lastClean = false;
        for (Step step : steps) {
            lastClean = run(step);
            if (step.searched) {
                if (!lastClean) {
                    break;
                }
                clean = step.rate;
            }
            if (step != steps.get(steps.size() - 1)) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(pauseSeconds)); // let the backends' timewaits drain
            }
        }
        timers.shutdownNow();
        for (Connection c : connections) {
            c.close();
        }
        System.out.println("CLEAN rate=" + clean);
        return lastClean;
    }

    /** Places the step's calls at its rate (absolute schedule), waits for them within the bound, reports. */
    private boolean run(Step step) throws InterruptedException {
        long start = System.nanoTime();
        long interval = TimeUnit.SECONDS.toNanos(1) / step.rate;
        for (int n = 0; n < step.calls; n++) {
            long due = start + n * interval;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            new Call(step, n, connections.get(n % connectionCount)).invite();
        }
        // Timer B (32 s) plus the hold plus the BYE's answer: a call still running after this is stuck.
        step.finished.await(45 + holdMillis / 1000, TimeUnit.SECONDS);
        for (Call c : live.values()) {
            if (c.step == step) {
                c.end("still running 45 s after the step");
            }
        }
        return report(step, (System.nanoTime() - start) / 1e9);
    }

    private static boolean report(Step step, double seconds) {
        int n = Math.min(step.setups.get(), step.setupNanos.length);
        long[] sorted = Arrays.copyOf(step.setupNanos, n);
        Arrays.sort(sorted);
        int failed = step.failures.values().stream().mapToInt(AtomicInteger::get).sum();
        int completed = step.completed.get();
        System.out.printf(Locale.ROOT, "tls-load: %s: %d calls at %d/s: completed %d, failed %d in %.1f s%s%n",
                step.name, step.calls, step.rate, completed, failed, seconds,
                step.failures.isEmpty() ? "" : " " + new TreeMap<>(step.failures));
        System.out.printf(Locale.ROOT, "RESULT step=%s rate=%d attempted=%d completed=%d failed=%d p50_ms=%.3f"
                        + " p90_ms=%.3f p99_ms=%.3f max_ms=%.3f samples=%d%n", step.name, step.rate, step.calls,
                completed, failed, percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                n == 0 ? Double.NaN : sorted[n - 1] / 1e6, n);
        return completed == step.calls;
    }

    /** The nearest-rank percentile in milliseconds, as bench/run.sh computes sipp's. */
    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.round(p / 100.0 * (sorted.length - 1)))] / 1e6;
    }

    /** One TLS connection: writes under a lock, one reader thread that frames messages by Content-Length. */
    private final class Connection {
        final SSLSocket socket;
        final OutputStream out;
        final InputStream in;
        final String local;

        Connection(int index) throws IOException {
            socket = (SSLSocket) context.getSocketFactory().createSocket(host, port);
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            local = "127.0.0.1:" + socket.getLocalPort();
            Thread reader = new Thread(this::read, "tls-load-reader-" + index);
            reader.setDaemon(true);
            reader.start();
        }

        synchronized void write(String message) throws IOException {
            out.write(message.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        private void read() {
            try {
                while (true) {
                    Message m = Message.read(in);
                    if (m == null) {
                        break;
                    }
                    Call call = live.get(m.header("call-id"));
                    if (call != null && m.status > 0) {
                        call.onResponse(m);
                    }
                }
            } catch (IOException e) {
                // the connection is gone: its calls fail below
            }
            for (Call c : live.values()) {
                if (c.connection == this) {
                    c.end("connection closed");
                }
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** One call: INVITE, ACK of the 200 along its route set, BYE after the hold, 200 to the BYE. */
    private final class Call {
        final Step step;
        final int number;
        final Connection connection;
        final String callId;
        final String fromTag;
        long invitedAt;
        String toTag;
        String remoteTarget;
        List<String> routes = List.of();
        boolean answered;
        boolean byeSent;
        boolean ended;
        ScheduledFuture<?> timeout;

        Call(Step step, int number, Connection connection) {
            this.step = step;
            this.number = number;
            this.connection = connection;
            this.callId = "tls-" + runId + "-" + step.name + "-" + number;
            this.fromTag = "f" + number;
        }

        synchronized void invite() {
            live.put(callId, this);
            String sdp = "v=0\r\no=tls-load 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
            String uri = "sip:" + service + "@" + host + ":" + port;
            String request = "INVITE " + uri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/TLS " + connection.local + ";branch=z9hG4bK-" + callId + "-1;rport\r\n"
                    + "Max-Forwards: 70\r\n"
                    + "From: tls-load <sip:load@" + connection.local + ">;tag=" + fromTag + "\r\n"
                    + "To: <" + uri + ">\r\n"
                    + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\n"
                    + "Contact: <sip:load@" + connection.local + ";transport=tls>\r\n"
                    + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
            invitedAt = System.nanoTime();
            if (!send(request)) {
                return;
            }
            timeout = timers.schedule(() -> end("no final answer to the INVITE within 32 s"), TIMER_B_NANOS,
                    TimeUnit.NANOSECONDS);
        }

        synchronized void onResponse(Message m) {
            if (ended || m.status < 200) {
                return;
            }
            String method = m.cseqMethod();
            if (method.equals("INVITE")) {
                if (m.status >= 300) {
                    // A non-2xx final is acknowledged hop by hop with the INVITE's branch (RFC 3261 §17.1.1.3).
                    send("ACK sip:" + service + "@" + host + ":" + port + " SIP/2.0\r\n"
                            + "Via: SIP/2.0/TLS " + connection.local + ";branch=z9hG4bK-" + callId + "-1;rport\r\n"
                            + "Max-Forwards: 70\r\n"
                            + "From: tls-load <sip:load@" + connection.local + ">;tag=" + fromTag + "\r\n"
                            + "To: " + m.header("to") + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 ACK\r\n"
                            + "Content-Length: 0\r\n\r\n");
                    end("INVITE answered " + m.status);
                    return;
                }
                if (!answered) {
                    answered = true;
                    timeout.cancel(false);
                    int i = step.setups.getAndIncrement();
                    if (i < step.setupNanos.length) {
                        step.setupNanos[i] = System.nanoTime() - invitedAt;
                    }
                    toTag = m.header("to");
                    remoteTarget = uriOf(m.header("contact"));
                    List<String> rr = new ArrayList<>(m.all("record-route"));
                    Collections.reverse(rr); // the UAC's route set is the Record-Route reversed (§12.1.2)
                    routes = rr;
                    timers.schedule(this::bye, holdMillis, TimeUnit.MILLISECONDS);
                }
                ack(); // and again for every retransmitted 200 (§13.2.2.4)
            } else if (method.equals("BYE") && byeSent) {
                if (m.status < 300) {
                    step.completed.incrementAndGet();
                    end(null);
                } else {
                    end("BYE answered " + m.status);
                }
            }
        }

        private String inDialog(String method, int cseq, String branch) {
            StringBuilder b = new StringBuilder(method).append(' ').append(remoteTarget).append(" SIP/2.0\r\n")
                    .append("Via: SIP/2.0/TLS ").append(connection.local).append(";branch=z9hG4bK-").append(callId)
                    .append('-').append(branch).append(";rport\r\n");
            for (String r : routes) {
                b.append("Route: ").append(r).append("\r\n");
            }
            return b.append("Max-Forwards: 70\r\n")
                    .append("From: tls-load <sip:load@").append(connection.local).append(">;tag=").append(fromTag)
                    .append("\r\nTo: ").append(toTag).append("\r\nCall-ID: ").append(callId)
                    .append("\r\nCSeq: ").append(cseq).append(' ').append(method).append("\r\n")
                    .append("Content-Length: 0\r\n\r\n").toString();
        }

        private void ack() {
            send(inDialog("ACK", 1, "ack"));
        }

        private synchronized void bye() {
            if (ended) {
                return;
            }
            byeSent = true;
            if (!send(inDialog("BYE", 2, "bye"))) {
                return;
            }
            timeout = timers.schedule(() -> end("no answer to the BYE within 32 s"), TIMER_B_NANOS,
                    TimeUnit.NANOSECONDS);
        }

        private boolean send(String message) {
            try {
                connection.write(message);
                return true;
            } catch (IOException e) {
                end("write failed: " + e.getClass().getSimpleName());
                return false;
            }
        }

        /** Ends the call once: completed when {@code failure} is null, else counted under it. */
        synchronized void end(String failure) {
            if (ended) {
                return;
            }
            ended = true;
            live.remove(callId);
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (failure != null) {
                step.fail(failure);
            }
            step.finished.countDown();
        }
    }

    /** The URI inside a name-addr ({@code <sip:...>;params}) or an addr-spec. */
    private static String uriOf(String value) {
        int lt = value.indexOf('<');
        if (lt >= 0) {
            return value.substring(lt + 1, value.indexOf('>', lt));
        }
        int semi = value.indexOf(';');
        return semi < 0 ? value.trim() : value.substring(0, semi).trim();
    }

    /** A SIP message's start line and headers (lower-case full names; compact forms expanded), body skipped. */
    private static final class Message {
        private static final Map<String, String> COMPACT = Map.of("i", "call-id", "t", "to", "f", "from", "m",
                "contact", "l", "content-length", "v", "via");

        final int status;
        final Map<String, List<String>> headers = new TreeMap<>();

        private Message(int status) {
            this.status = status;
        }

        /** The next message on the stream, or null at its end. */
        static Message read(InputStream in) throws IOException {
            String start;
            do {
                start = line(in);
                if (start == null) {
                    return null;
                }
            } while (start.isEmpty()); // CRLF keep-alives between messages
            int status = start.startsWith("SIP/2.0 ") ? Integer.parseInt(start.substring(8, 11)) : 0;
            Message m = new Message(status);
            String l;
            while ((l = line(in)) != null && !l.isEmpty()) {
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                name = COMPACT.getOrDefault(name, name);
                String value = l.substring(colon + 1).trim();
                List<String> values = m.headers.computeIfAbsent(name, k -> new ArrayList<>());
                if (name.equals("record-route")) {
                    values.addAll(splitList(value));
                } else {
                    values.add(value);
                }
            }
            int length = Integer.parseInt(m.header("content-length").isEmpty() ? "0" : m.header("content-length"));
            in.skipNBytes(length); // EOFException when the connection ends inside the body
            return m;
        }

        String header(String name) {
            List<String> values = headers.get(name);
            return values == null || values.isEmpty() ? "" : values.get(0);
        }

        List<String> all(String name) {
            return headers.getOrDefault(name, List.of());
        }

        String cseqMethod() {
            String cseq = header("cseq");
            return cseq.substring(cseq.indexOf(' ') + 1).trim();
        }

        /** Record-Route values, split at commas outside {@code <>} and quotes. */
        private static List<String> splitList(String value) {
            List<String> parts = new ArrayList<>();
            int depth = 0;
            boolean quoted = false;
            int from = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && c == '<') {
                    depth++;
                } else if (!quoted && c == '>') {
                    depth--;
                } else if (!quoted && depth == 0 && c == ',') {
                    parts.add(value.substring(from, i).trim());
                    from = i + 1;
                }
            }
            parts.add(value.substring(from).trim());
            return parts;
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder(128);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int n = b.length();
                    return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
                }
                b.append((char) c);
            }
            return b.length() == 0 ? null : b.toString();
        }
    }
}
