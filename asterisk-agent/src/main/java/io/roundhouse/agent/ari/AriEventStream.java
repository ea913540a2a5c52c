package io.roundhouse.agent.ari;

import io.roundhouse.shared.retry.Backoff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ARI event WebSocket ({@code GET /ari/events?app=A,B}) for all configured Stasis applications, kept open for the
 * life of the agent: reconnects with capped exponential backoff, and knows at every instant which applications are
 * registered. Asterisk registers an application while a WebSocket names it and unregisters it when that socket goes
 * (fixtures: {@code ari-get-applications-after-disconnect}), so "socket open" is "applications registered".
 *
 * <p>Written on {@link java.net.http.WebSocket} rather than ari4java's WebSocket client: see
 * docs/decisions.md (fixed 2/5/10 s reconnect schedule, a process-wide auto-reconnect switch, a ping task
 * that sleeps on a Netty event loop, and no way to see ApplicationReplaced as a loss of registration).
 */
public final class AriEventStream implements AutoCloseable {

    /** Told of every event and of every change of the registered applications; must not block. */
    public interface Listener {
        void onEvent(AriEvent event);

        void onRegisteredAppsChanged(Set<String> registeredApps);
    }

    private static final Logger log = LoggerFactory.getLogger(AriEventStream.class);
    /** Frames bigger than this are not ARI events (the largest capture is under 2 KiB): a peer fault, not data. */
    static final int MAX_FRAME_CHARS = 1 << 20;

    private final AriSettings settings;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final HttpClient http;
    private final Backoff backoff;
    private final URI eventsUri;
    private final String authorization;

    // Guarded by this.
    private WebSocket socket;
    private long generation;
    private boolean pingOutstanding;
    private boolean closed;
    private ScheduledFuture<?> pinger;
    private volatile Set<String> registered = Set.of();

    public AriEventStream(AriSettings settings, ScheduledExecutorService scheduler, Listener listener) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.listener = listener;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.backoff = new Backoff(settings.reconnectInitial(), settings.reconnectMax(),
                () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
        this.eventsUri = eventsUri(settings);
        this.authorization = "Basic " + Base64.getEncoder().encodeToString(
                (settings.username() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code ws://host:port/ari/events?app=A,B}: ARI takes a comma-separated application list on one socket. */
    static URI eventsUri(AriSettings settings) {
        URI base = settings.url();
        String scheme = "https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority() + base.getRawPath() + "ari/events?app="
                + String.join(",", settings.apps()));
    }

    /** Connects in the background; the applications are registered once the WebSocket is up. */
    public synchronized void start() {
        pinger = scheduler.scheduleWithFixedDelay(this::ping, settings.pingInterval().toMillis(),
                settings.pingInterval().toMillis(), TimeUnit.MILLISECONDS);
        connect();
    }

    /** Stasis applications registered over this WebSocket right now; empty while it is down. */
    public Set<String> registeredApps() {
        return registered;
    }

    private synchronized void connect() {
        if (closed) {
            return;
        }
        long attempt = ++generation;
        log.debug("ARI: connecting WebSocket {}", eventsUri);
        CompletableFuture<WebSocket> pending = http.newWebSocketBuilder()
                .header("Authorization", authorization)
                .connectTimeout(Duration.ofSeconds(2))
                .buildAsync(eventsUri, new Frames(attempt));
        pending.whenComplete((ws, failure) -> {
            if (failure != null) {
                down(attempt, "connect to " + eventsUri + " failed: " + rootMessage(failure));
            } else {
                up(attempt, ws);
            }
        });
    }

    private void up(long attempt, WebSocket ws) {
        Set<String> apps;
        synchronized (this) {
            if (closed || attempt != generation) {
                ws.abort();
                return;
            }
            socket = ws;
            pingOutstanding = false;
            backoff.reset();
            apps = Set.copyOf(new LinkedHashSet<>(settings.apps()));
            registered = apps;
        }
        log.info("ARI: WebSocket up, applications registered: {}", settings.apps());
        listener.onRegisteredAppsChanged(apps);
    }

    private void down(long attempt, String reason) {
        Duration delay;
        int failures;
        synchronized (this) {
            if (closed || attempt != generation) {
                return;
            }
            generation++; // late callbacks of the dead socket are ignored from here on
            if (socket != null) {
                socket.abort();
                socket = null;
            }
            registered = Set.of();
            delay = backoff.nextDelay();
            failures = backoff.failures();
            scheduler.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
        log.warn("ARI: WebSocket down ({}); applications unregistered; reconnect attempt {} in {} ms", reason, failures,
                delay.toMillis());
        listener.onRegisteredAppsChanged(Set.of());
    }

    /** A pong is due before the next tick; a socket that stays silent (half-open TCP) is declared down. */
    private void ping() {
        WebSocket ws;
        long attempt;
        synchronized (this) {
            ws = socket;
            attempt = generation;
            if (ws == null) {
                return;
            }
            if (pingOutstanding) {
                ws = null;
            } else {
                pingOutstanding = true;
            }
        }
        if (ws == null) {
            down(attempt, "no pong within " + settings.pingInterval().toMillis() + " ms");
            return;
        }
        ws.sendPing(ByteBuffer.wrap(new byte[] {'r', 'h'})).whenComplete((w, failure) -> {
            if (failure != null) {
                down(attempt, "ping failed: " + rootMessage(failure));
            }
        });
    }

    private void lost(long attempt, String app) {
        Set<String> apps;
        synchronized (this) {
            if (attempt != generation || !registered.contains(app)) {
                return;
            }
            Set<String> remaining = new LinkedHashSet<>(registered);
            remaining.remove(app);
            apps = Set.copyOf(remaining);
            registered = apps;
        }
        // Asterisk keeps this socket open but sends it nothing more for the app: another client owns the name now.
        log.error("ARI: application {} was replaced by another WebSocket client (two agents on one Asterisk?);"
                + " it is unregistered here until this WebSocket reconnects", app);
        listener.onRegisteredAppsChanged(apps);
    }

    @Override
    public void close() {
        WebSocket ws;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            ws = socket;
            socket = null;
            registered = Set.of();
            if (pinger != null) {
                pinger.cancel(false);
            }
        }
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "agent stopping").orTimeout(1, TimeUnit.SECONDS)
                    .whenComplete((w, failure) -> ws.abort());
        }
        listener.onRegisteredAppsChanged(Set.of());
    }

    private static String rootMessage(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** Receives the frames of one connection attempt; stale attempts are ignored by generation. */
    private final class Frames implements WebSocket.Listener {
        private final long attempt;
        private final StringBuilder text = new StringBuilder();

        Frames(long attempt) {
            this.attempt = attempt;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            ws.request(1);
            if (text.length() + data.length() > MAX_FRAME_CHARS) {
                text.setLength(0);
                down(attempt, "event frame over " + MAX_FRAME_CHARS + " characters");
                return null;
            }
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                deliver(frame);
            }
            return null;
        }

        private void deliver(String frame) {
            AriEvent event;
            try {
                event = AriEvent.parse(frame);
            } catch (IllegalArgumentException e) {
                log.warn("ARI: dropped a frame: {}", e.getMessage());
                return;
            }
            if ("ApplicationReplaced".equals(event.type())) {
                lost(attempt, event.application());
                return;
            }
            synchronized (AriEventStream.this) {
                if (attempt != generation) {
                    return;
                }
            }
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                log.error("ARI: event listener failed on {} for channel {}", event.type(), event.channelId(), e);
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            log.warn("ARI: dropped a binary frame of {} bytes (ARI sends text frames only)", data.remaining());
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            ws.request(1);
            synchronized (AriEventStream.this) {
                if (attempt == generation) {
                    pingOutstanding = false;
                }
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            down(attempt, "closed by Asterisk with " + statusCode + (reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            down(attempt, rootMessage(error));
        }
    }
}
