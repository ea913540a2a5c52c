package io.roundhouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** The farm through a router's admin API ({@code --admin URL}); mutations carry the token of the environment. */
final class AdminApi implements FarmSource {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;

    AdminApi(String baseUrl, Optional<String> token) {
        String trimmed = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        try {
            this.base = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, "--admin " + baseUrl + ": not a URL (expected: http://host:port)", e);
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme()) || base.getHost() == null) {
            throw new CliException(CliException.USAGE, "--admin " + baseUrl + ": not an http URL (expected: http://host:port)");
        }
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @Override
    public JsonNode nodes() {
        return send("GET", "/api/nodes");
    }

    @Override
    public JsonNode rooms() {
        return send("GET", "/api/rooms");
    }

    @Override
    public JsonNode decisions(int limit) {
        return send("GET", "/api/decisions?limit=" + limit);
    }

    @Override
    public JsonNode control(String node, String verb) {
        // A node id is one path segment whatever it holds ("a b", "x/y" or "%" would not make a URI or would be
        // another path): percent-encoded, as the router decodes it.
        return send("POST", "/api/nodes/" + URLEncoder.encode(node, StandardCharsets.UTF_8).replace("+", "%20") + "/"
                + verb);
    }

    @Override
    public JsonNode reload() {
        return send("POST", "/api/reload");
    }

    private JsonNode send(String method, String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody()).header("Accept", "application/json");
        if (method.equals("POST")) {
            if (token.isEmpty()) {
                throw new CliException(CliException.AUTH, "this verb needs the router's admin token: set "
                        + RoundhouseCli.TOKEN_ENV);
            }
            b.header("Authorization", "Bearer " + token.get());
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw unreachable("connection refused or timed out", e);
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            throw unreachable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.UNREACHABLE, "interrupted", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new CliException(CliException.UNREACHABLE, base + path + " answered " + r.statusCode()
                    + " without JSON: is this a Roundhouse router's admin listener?", e);
        }
        if (r.statusCode() / 100 == 2) {
            return body;
        }
        String error = body.path("error").asText("HTTP " + r.statusCode());
        throw switch (r.statusCode()) {
            case 401 -> new CliException(CliException.AUTH, "the router wants its admin token: set "
                    + RoundhouseCli.TOKEN_ENV + " (" + error + ")");
            case 403 -> new CliException(CliException.AUTH, "the router refused the token: " + error);
            case 404 -> new CliException(CliException.UNKNOWN_NODE, error);
            default -> new CliException(CliException.UNREACHABLE, "the router refused: " + error);
        };
    }

    private CliException unreachable(String why, Exception e) {
        return new CliException(CliException.UNREACHABLE, "cannot reach the router's admin API at " + base + " ("
                + why + "); is the router running with an admin: block? Without a router, read Redis with"
                + " --redis URL", e);
    }

    @Override
    public void close() {
        // HttpClient holds no connection worth closing for one command.
    }
}
