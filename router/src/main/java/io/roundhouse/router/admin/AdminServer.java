package io.roundhouse.router.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.router.config.AdminSettings;
import io.roundhouse.shared.state.DecisionEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's admin API, status page and metrics on a listener of their own (the JDK's HTTP server, as the metrics
 * endpoint), served by two threads of their own: never on a SIP event loop, so a slow client or a slow Redis delays
 * only the admin API. Reads are open to whoever reaches the listener (loopback by default); every mutation needs
 * {@code Authorization: Bearer <token>} (401 without, 403 with a wrong one). Every refusal is a JSON
 * {@code {"error": "..."}} with a 4xx or 503 status, never a stack trace.
 *
 * <p>Endpoints are listed in docs/admin.md.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** Default and largest {@code limit} of {@code GET /api/decisions}. */
    static final int DEFAULT_DECISIONS = 20;
    static final int MAX_DECISIONS = 1000;
    /** A mutation carries no body worth reading: more than this is refused. */
    static final int MAX_BODY = 4096;

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);

    private final HttpServer server;
    private final ExecutorService executor;
    private final Farm farm;
    private final BearerToken token;
    private final Reloader reloader;
    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final byte[] statusPage;

    private AdminServer(HttpServer server, ExecutorService executor, Farm farm, BearerToken token, Reloader reloader,
                        PrometheusMeterRegistry registry, BooleanSupplier ready, byte[] statusPage) {
        this.server = server;
        this.executor = executor;
        this.farm = farm;
        this.token = token;
        this.reloader = reloader;
        this.registry = registry;
        this.ready = ready;
        this.statusPage = statusPage;
    }

    /**
     * Binds and serves.
     *
     * @param reloader {@code POST /api/reload}; null answers 501
     * @param registry served on {@code GET /metrics}; null answers 404
     * @param ready    whether the router is listening with its config loaded ({@code GET /readyz})
     */
    public static AdminServer start(AdminSettings settings, Farm farm, Reloader reloader,
                                    PrometheusMeterRegistry registry, BooleanSupplier ready) {
        HttpServer server;
        try {
            server = HttpServer.create(settings.listen(), 32);
        } catch (IOException e) {
            throw new UncheckedIOException("admin: cannot listen on " + settings.listen(), e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        AdminServer admin = new AdminServer(server, executor, farm, new BearerToken(settings.token()), reloader,
                registry, ready, statusPage());
        server.createContext("/", admin::handle);
        server.start();
        LOG.info("admin API on http://{}:{}/ (mutations {})", settings.listen().getHostString(), admin.port(),
                settings.token().isPresent() ? "need the admin token" : "refused: no admin token configured");
        return admin;
    }

    private static byte[] statusPage() {
        try (InputStream in = AdminServer.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html missing from the router's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading status.html", e);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) {
        try (exchange) {
            try {
                route(exchange);
            } catch (AdminException e) {
                error(exchange, e.status(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("admin {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                        e.toString(), e);
                error(exchange, 500, "internal error (logged by the router)");
            }
        } catch (IOException e) {
            LOG.debug("admin client went away: {}", e.toString());
        }
    }

    private void route(HttpExchange x) throws IOException {
        String method = x.getRequestMethod();
        URI uri = x.getRequestURI();
        String path = uri.getPath();
        String rawPath = uri.getRawPath();
        if (rawPath.startsWith("/api/nodes/") && rawPath.length() > "/api/nodes/".length()) {
            // Split before decoding: a node id is one segment, even one holding an encoded '/'.
            String[] parts = rawPath.substring("/api/nodes/".length()).split("/", -1);
            for (int i = 0; i < parts.length; i++) {
                parts[i] = URLDecoder.decode(parts[i].replace("+", "%2B"), StandardCharsets.UTF_8);
            }
            if (parts.length != 2 || parts[0].isEmpty()) {
                throw new AdminException(404, "no such endpoint: " + path
                        + " (expected: /api/nodes/{id}/drain|undrain|disable|enable)");
            }
            requirePost(method);
            authorize(x);
            NodeAction action = NodeAction.fromVerb(parts[1]).orElseThrow(() -> new AdminException(404,
                    "unknown action " + parts[1] + " (expected: drain, undrain, disable, enable)"));
            readSmallBody(x);
            NodeReport after = farm.control(parts[0], action);
            LOG.info("admin: {} {} (control now {}, state {})", action.verb(), parts[0],
                    after.control() == null ? "none" : after.control(), after.state());
            json(x, 200, after);
            return;
        }
        switch (path) {
            case "/" -> {
                requireGet(method);
                // The page loads nothing from elsewhere and talks only to this listener.
                x.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline';"
                        + " style-src 'unsafe-inline'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'");
                send(x, 200, "text/html; charset=utf-8", statusPage);
            }
            case "/healthz" -> {
                requireGet(method);
                json(x, 200, Map.of("status", "alive"));
            }
            case "/readyz" -> {
                requireGet(method);
                Map<String, Object> body = new LinkedHashMap<>();
                boolean isReady = ready.getAsBoolean();
                body.put("ready", isReady);
                String redis = farm.redis();
                body.put("redis", redis);
                if (redis.equals("down")) {
                    body.put("outage", "Redis unreachable: dispatching on the last known view");
                }
                json(x, isReady ? 200 : 503, body);
            }
            case "/metrics" -> {
                requireGet(method);
                if (registry == null) {
                    throw new AdminException(404, "no metrics registry");
                }
                send(x, 200, "text/plain; version=0.0.4; charset=utf-8",
                        registry.scrape().getBytes(StandardCharsets.UTF_8));
            }
            case "/api/nodes" -> {
                requireGet(method);
                json(x, 200, farm.nodes());
            }
            case "/api/rooms" -> {
                requireGet(method);
                json(x, 200, farm.rooms());
            }
            case "/api/decisions" -> {
                requireGet(method);
                int limit = limit(uri.getRawQuery());
                json(x, 200, farm.decisions(limit).stream().map(AdminServer::decision).toList());
            }
            case "/api/reload" -> {
                requirePost(method);
                authorize(x);
                readSmallBody(x);
                if (reloader == null) {
                    throw new AdminException(501, "reload is not available in this router");
                }
                String changed = reloader.reload();
                LOG.info("admin: reload ({})", changed);
                json(x, 200, Map.of("reloaded", true, "changes", changed));
            }
            default -> throw new AdminException(404, "no such endpoint: " + path);
        }
    }

    private static Map<String, String> decision(DecisionEntry d) {
        Map<String, String> m = new LinkedHashMap<>(d.fields());
        m.put("line", d.line());
        return m;
    }

    static int limit(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return DEFAULT_DECISIONS;
        }
        Optional<String> value = Optional.empty();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (!name.equals("limit")) {
                throw new AdminException(400, "unknown query parameter " + name + " (expected: limit)");
            }
            value = Optional.of(eq < 0 ? "" : pair.substring(eq + 1));
        }
        String text = value.orElse("");
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_DECISIONS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // refused below with the expected range
        }
        throw new AdminException(400, "limit=" + text + " (expected: 1.." + MAX_DECISIONS + ")");
    }

    private void authorize(HttpExchange x) {
        switch (token.check(x.getRequestHeaders().getFirst("Authorization"))) {
            case ACCEPTED -> {
            }
            case MISSING -> {
                x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"roundhouse\"");
                throw new AdminException(401, "this endpoint needs Authorization: Bearer <admin token>");
            }
            case WRONG -> throw new AdminException(403, "wrong admin token");
            case NOT_CONFIGURED -> throw new AdminException(403, "mutations are refused: no admin token configured"
                    + " (set " + AdminSettings.TOKEN_ENV + " or admin.token-file)");
        }
    }

    private static void requireGet(String method) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new MethodNotAllowed("GET");
        }
    }

    private static void requirePost(String method) {
        if (!method.equals("POST")) {
            throw new MethodNotAllowed("POST");
        }
    }

    /** 405 with the Allow header (RFC 9110 §15.5.6). */
    private static final class MethodNotAllowed extends AdminException {
        MethodNotAllowed(String allowed) {
            super(405, "method not allowed (expected: " + allowed + ")");
        }
    }

    private static void readSmallBody(HttpExchange x) throws IOException {
        try (InputStream in = x.getRequestBody()) {
            if (in.readNBytes(MAX_BODY + 1).length > MAX_BODY) {
                throw new AdminException(413, "request body too large (expected: none)");
            }
        }
    }

    private static void json(HttpExchange x, int status, Object body) throws IOException {
        send(x, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
    }

    private static void error(HttpExchange x, int status, String message) throws IOException {
        if (status == 405) {
            x.getResponseHeaders().set("Allow", message.contains("POST") ? "POST" : "GET, HEAD");
        }
        json(x, status, Map.of("error", message));
    }

    private static void send(HttpExchange x, int status, String contentType, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", contentType);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
