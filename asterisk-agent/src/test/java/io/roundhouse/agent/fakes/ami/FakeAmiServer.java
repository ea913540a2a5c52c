package io.roundhouse.agent.fakes.ami;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake Asterisk manager interface on loopback that answers with the real Asterisk 22.10.1 captures
 * ({@link AsteriskFixtures}): banner, Action/Response/Event framing, ActionID correlation (the ActionID of a replayed
 * block is rewritten to the client's), list actions with their Complete events, login failure followed by the close
 * about one second later, Logoff, dropped connections and events replayed from captured sessions.
 *
 * <p>One exchange was not captured: asterisk-java logs in with {@code Action: Challenge} (MD5). Its answer is built
 * exactly as Asterisk's {@code manager.c} {@code action_challenge()} writes it: {@code astman_start_ack} (a
 * {@code Response: Success} line and the ActionID) then {@code Challenge: <number>} and the blank line.
 */
public final class FakeAmiServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FakeAmiServer.class);
    private static final Pattern ACTION_ID = Pattern.compile("(?m)^ActionID: [^\r\n]*\r\n");

    private final String username;
    private final String secret;
    private final int port;
    private volatile ServerSocket server;
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> actions = new ConcurrentHashMap<>();
    private final AtomicInteger logins = new AtomicInteger();
    private volatile AmiScenario scenario = AmiScenario.IDLE;
    private volatile boolean roomsDenied;

    private FakeAmiServer(String username, String secret, ServerSocket server) {
        this.username = username;
        this.secret = secret;
        this.server = server;
        this.port = server.getLocalPort();
    }

    /** Listens on a free loopback port. */
    public static FakeAmiServer start(String username, String secret) throws IOException {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FakeAmiServer fake = new FakeAmiServer(username, secret, socket);
        fake.acceptOn(socket);
        return fake;
    }

    public int port() {
        return port;
    }

    public void scenario(AmiScenario scenario) {
        this.scenario = scenario;
    }

    /** Answer ConfbridgeListRooms/ConfbridgeList as for a user without {@code reporting} (the captured error). */
    public void denyRooms(boolean denied) {
        this.roomsDenied = denied;
    }

    /** Successful logins so far. */
    public int logins() {
        return logins.get();
    }

    /** How many times the action (case-insensitive name) was received. */
    public int received(String action) {
        AtomicInteger n = actions.get(action.toLowerCase(Locale.ROOT));
        return n == null ? 0 : n.get();
    }

    /** Logged-in sessions now. */
    public int connectedSessions() {
        return (int) sessions.stream().filter(s -> s.loggedIn).count();
    }

    /** Sends event blocks (exact captured bytes) to every logged-in session. */
    public void inject(List<String> events) {
        for (Session s : sessions) {
            if (s.loggedIn) {
                for (String event : events) {
                    s.write(event);
                }
            }
        }
    }

    /** Closes every client connection abruptly, as a crashed Asterisk would; the server keeps listening. */
    public void dropConnections() {
        for (Session s : sessions) {
            s.close();
        }
    }

    /** Stops accepting and drops everyone (Asterisk down). {@link #resume()} listens again on the same port. */
    public void suspend() throws IOException {
        ServerSocket s = server;
        if (s != null) {
            s.close();
            server = null;
        }
        dropConnections();
    }

    public void resume() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server = socket;
        acceptOn(socket);
    }

    @Override
    public void close() throws IOException {
        suspend();
    }

    private void acceptOn(ServerSocket socket) {
        Thread t = new Thread(() -> {
            while (!socket.isClosed()) {
                try {
                    Socket client = socket.accept();
                    Session session = new Session(client);
                    sessions.add(session);
                    Thread reader = new Thread(session::run, "fake-ami-session-" + client.getPort());
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        log.warn("fake AMI accept failed: {}", e.toString());
                    }
                }
            }
        }, "fake-ami-accept-" + port);
        t.setDaemon(true);
        t.start();
    }

    /** One client connection. */
    private final class Session {
        private final Socket socket;
        private final OutputStream out;
        private volatile boolean loggedIn;
        private String challenge;

        Session(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        void run() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8))) {
                write(AsteriskFixtures.text("ami-banner.txt"));
                Map<String, String> action = new LinkedHashMap<>();
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (!action.isEmpty() && !answer(action)) {
                            return;
                        }
                        action = new LinkedHashMap<>();
                        continue;
                    }
                    int colon = line.indexOf(':');
                    if (colon > 0) {
                        action.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                                line.substring(colon + 1).trim());
                    }
                }
            } catch (IOException e) {
                log.debug("fake AMI session ended: {}", e.toString());
            } finally {
                close();
            }
        }

        /** Answers one action; false when the session must end. */
        private boolean answer(Map<String, String> action) {
            String name = action.getOrDefault("action", "").toLowerCase(Locale.ROOT);
            actions.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
            String id = action.get("actionid");
            if (!loggedIn) {
                return answerUnauthenticated(name, action, id);
            }
            switch (name) {
                case "coreshowchannels" -> replay(scenario.coreShowChannels, id);
                case "confbridgelistrooms" -> replay(roomsDenied ? "ami-confbridgelistrooms-permission-denied.txt"
                        : scenario.confbridgeListRooms, id);
                case "confbridgelist" -> replay(confbridgeList(action.get("conference")), id);
                case "corestatus" -> replay(scenario.coreStatus, id);
                case "coresettings" -> replay("ami-coresettings.txt", id);
                case "ping" -> replay("ami-ping.txt", id);
                case "command" -> replay("ami-command-core-show-version.txt", id);
                case "logoff" -> {
                    replay("ami-logoff.txt", id);
                    return false;
                }
                default -> replay("ami-unknown-action.txt", id);
            }
            return true;
        }

        private String confbridgeList(String conference) {
            if (roomsDenied) {
                return "ami-confbridgelistrooms-permission-denied.txt";
            }
            if (conference == null || conference.isEmpty()) {
                return "ami-confbridgelist-missing-conference.txt";
            }
            if (scenario == AmiScenario.TWO_CALLERS_IN_ROOM_1000 && !conference.equals("1000")) {
                return "ami-confbridgelist-unknown-room.txt";
            }
            return scenario.confbridgeList;
        }

        private boolean answerUnauthenticated(String name, Map<String, String> action, String id) {
            if (name.equals("challenge")) {
                challenge = Long.toString(Math.abs(System.nanoTime() % 1_000_000_000L));
                // Not captured: written as manager.c action_challenge() does (see the class comment).
                write("Response: Success\r\n" + (id == null ? "" : "ActionID: " + id + "\r\n")
                        + "Challenge: " + challenge + "\r\n\r\n");
                return true;
            }
            if (name.equals("login")) {
                if (credentialsMatch(action)) {
                    loggedIn = true;
                    logins.incrementAndGet();
                    boolean eventsOff = "off".equalsIgnoreCase(action.get("events"));
                    replay(eventsOff ? "ami-login-events-off.txt" : "ami-login-success.txt", id);
                    return true;
                }
                replay("ami-login-failure.txt", id);
                // Asterisk closes the connection about one second after a failed login.
                sleepQuietly(1_000);
                return false;
            }
            log.warn("fake AMI: action {} before login; closing", name);
            return false;
        }

        private boolean credentialsMatch(Map<String, String> action) {
            if (!username.equals(action.get("username"))) {
                return false;
            }
            if ("md5".equalsIgnoreCase(action.get("authtype")) && challenge != null) {
                return md5Hex(challenge + secret).equalsIgnoreCase(action.getOrDefault("key", ""));
            }
            return secret.equals(action.get("secret"));
        }

        private void replay(String fixture, String id) {
            String text = AsteriskFixtures.text(fixture);
            Matcher m = ACTION_ID.matcher(text);
            write(m.replaceAll(id == null ? "" : Matcher.quoteReplacement("ActionID: " + id + "\r\n")));
        }

        synchronized void write(String text) {
            try {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                log.debug("fake AMI write failed: {}", e.toString());
                close();
            }
        }

        void close() {
            loggedIn = false;
            sessions.remove(this);
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("fake AMI close failed: {}", e.toString());
            }
        }
    }

    private static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
