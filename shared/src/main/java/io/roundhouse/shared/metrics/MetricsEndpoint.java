package io.roundhouse.shared.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roundhouse.shared.config.ConfigBinder;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a process's Micrometer meters in the Prometheus text format on {@code GET /metrics}: the {@code metrics:}
 * block of the router's and the agent's YAML configs.
 *
 * <pre>
 * metrics:
 *   listen: "127.0.0.1:9464"    # host:port; IPv6 as "[::1]:9464"; loopback unless configured otherwise
 * </pre>
 *
 * <p>The server runs on one thread of its own, never on a SIP event loop: a slow scraper delays only itself. It has no
 * authentication: bound beyond loopback it says so in a warning at start (see docs/security.md).
 */
public final class MetricsEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);

    private final PrometheusMeterRegistry registry;
    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsEndpoint(PrometheusMeterRegistry registry, HttpServer server, ExecutorService executor) {
        this.registry = registry;
        this.server = server;
        this.executor = executor;
    }

    /**
     * The listen address of a {@code metrics:} block, or empty when the block (or its {@code listen}) is absent.
     *
     * @throws ConfigException naming {@code metrics.listen} or an unknown key
     */
    public static Optional<InetSocketAddress> listenAddress(JsonNode metricsBlock) {
        MetricsSettings settings = new ConfigBinder().bind(metricsBlock, MetricsSettings.class, "metrics");
        return settings == null ? Optional.empty() : settings.endpoint().map(HostPort::toSocketAddress);
    }

    /** A registry whose meters {@link #start} can serve. */
    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** Starts serving {@code registry} on {@code address} (port 0 picks a free port). */
    public static MetricsEndpoint start(PrometheusMeterRegistry registry, InetSocketAddress address) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("metrics: cannot listen on " + address, e);
        }
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        MetricsEndpoint endpoint = new MetricsEndpoint(registry, server, executor);
        server.createContext("/metrics", endpoint::serve);
        server.start();
        exposureWarning(address).ifPresent(log::warn);
        log.info("metrics served on http://{}:{}/metrics", address.getHostString(), endpoint.port());
        return endpoint;
    }

    /**
     * The warning due when {@code address} is reachable beyond this host (a wildcard or a routable address): the
     * endpoint has no authentication, so whoever reaches it reads the farm's counters.
     */
    static Optional<String> exposureWarning(InetSocketAddress address) {
        if (address.getAddress() != null && address.getAddress().isLoopbackAddress()) {
            return Optional.empty();
        }
        return Optional.of("metrics listener " + address.getHostString() + ":" + address.getPort() + " is bound beyond"
                + " loopback and has no authentication: anyone who can reach it reads the metrics; bind 127.0.0.1"
                + " or restrict it with a firewall");
    }

    /** The bound port. */
    public int port() {
        return server.getAddress().getPort();
    }

    private void serve(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
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
