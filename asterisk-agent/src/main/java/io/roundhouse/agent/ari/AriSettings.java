package io.roundhouse.agent.ari;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * How the agent reaches Asterisk's REST Interface: the {@code ari:} block of the agent's YAML config.
 *
 * <pre>
 * ari:
 *   url: "http://127.0.0.1:8088/"        # ARI is bound to loopback (asterisk-conf/http.conf)
 *   username: roundhouse
 *   password-file: /etc/roundhouse/ari.password   # or env ARI_PASSWORD (which wins), or password: (not advised)
 *   apps: [ Conference, Echo ]            # the agent's own services, registered over one WebSocket
 *   external-apps: [ ivr, queue ]         # operators' own applications, advertised while Asterisk lists them
 *   applications-poll: 2s                 # how often GET /applications is read for them
 *   reconnect-initial: 250ms              # capped exponential backoff of the WebSocket
 *   reconnect-max: 10s
 *   ping-interval: 1s                     # a WebSocket ping unanswered for one interval means ARI is gone
 * </pre>
 *
 * @param url              base URL of Asterisk's HTTP server (without {@code /ari})
 * @param username         ARI user (ari.conf)
 * @param password         ARI password (never logged)
 * @param apps             Stasis application names, in configuration order
 * @param reconnectInitial first reconnect delay
 * @param reconnectMax     cap of the reconnect delay
 * @param pingInterval     WebSocket liveness ping period
 * @param externalApps     the operators' own Stasis applications the node may advertise (allow-list)
 * @param applicationsPoll how often {@code GET /applications} is read for them
 */
public record AriSettings(
        URI url,
        String username,
        String password,
        List<String> apps,
        Duration reconnectInitial,
        Duration reconnectMax,
        Duration pingInterval,
        List<String> externalApps,
        Duration applicationsPoll) {

    public static final String DEFAULT_URL = "http://127.0.0.1:8088/";
    public static final String DEFAULT_USERNAME = "roundhouse";
    public static final String PASSWORD_ENV = "ARI_PASSWORD";
    /** Short enough that a restarted Asterisk is found again quickly, without hammering it while it boots. */
    public static final Duration DEFAULT_RECONNECT_INITIAL = Duration.ofMillis(250);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(10);
    /** The router must see a dead ARI within about a second (issue 5); a ping per second costs nothing on loopback. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(1);

    /** Asterisk accepts any application name, but ours travel in SIP headers and Redis keys: keep them plain. */
    private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> KEYS = Set.of("url", "username", "password", "password-file", "apps",
            "reconnect-initial", "reconnect-max", "ping-interval", "external-apps", "applications-poll");

    /** Bounded: a poll costs one loopback request, and an app that went away is unadvertised within this. */
    public static final Duration DEFAULT_APPLICATIONS_POLL = Duration.ofSeconds(2);

    public AriSettings {
        apps = List.copyOf(apps);
        externalApps = List.copyOf(externalApps);
    }

    /** Settings without external applications. */
    public AriSettings(URI url, String username, String password, List<String> apps, Duration reconnectInitial,
                       Duration reconnectMax, Duration pingInterval) {
        this(url, username, password, apps, reconnectInitial, reconnectMax, pingInterval, List.of(),
                DEFAULT_APPLICATIONS_POLL);
    }

    @Override
    public String toString() {
        // Never print the password, even by accident in a log line.
        return "AriSettings[url=" + url + ", username=" + username + ", apps=" + apps + ", externalApps="
                + externalApps + "]";
    }

    /** Parses the {@code ari:} node, taking the password from the process environment when the file has none. */
    public static AriSettings parse(JsonNode ari) {
        return parse(ari, System::getenv);
    }

    /** Parses the {@code ari:} node; {@code env} looks up environment variables (injected for tests). */
    public static AriSettings parse(JsonNode ari, Function<String, String> env) {
        if (ari == null || ari.isMissingNode() || ari.isNull()) {
            throw new ConfigException("ari", "missing (expected: a map with url, username, password-file, apps)");
        }
        if (!ari.isObject()) {
            throw new ConfigException("ari", "not a map (expected: url, username, password-file, apps)");
        }
        for (Iterator<String> names = ari.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw new ConfigException("ari." + name, "unknown key (expected one of: " + String.join(", ",
                        KEYS.stream().sorted().toList()) + ")");
            }
        }
        URI url = url(text(ari, "url", DEFAULT_URL));
        String username = text(ari, "username", DEFAULT_USERNAME);
        if (username.isBlank()) {
            throw new ConfigException("ari.username", "empty (expected: the user of ari.conf)");
        }
        String password = password(ari, env);
        List<String> externalApps = ari.has("external-apps") ? names("ari.external-apps", ari.get("external-apps"))
                : List.of();
        List<String> apps = externalApps.isEmpty() || ari.has("apps") ? names("ari.apps", ari.get("apps")) : List.of();
        for (String app : externalApps) {
            if (apps.contains(app)) {
                throw new ConfigException("ari.external-apps", app + " is also in ari.apps (expected: an application"
                        + " is the agent's own service or an operator's own, not both)");
            }
        }
        Duration initial = duration(ari, "reconnect-initial", DEFAULT_RECONNECT_INITIAL);
        Duration max = duration(ari, "reconnect-max", DEFAULT_RECONNECT_MAX);
        if (max.compareTo(initial) < 0) {
            throw new ConfigException("ari.reconnect-max", max + " (expected: at least reconnect-initial " + initial + ")");
        }
        Duration ping = duration(ari, "ping-interval", DEFAULT_PING_INTERVAL);
        Duration poll = duration(ari, "applications-poll", DEFAULT_APPLICATIONS_POLL);
        return new AriSettings(url, username, password, apps, initial, max, ping, externalApps, poll);
    }

    private static URI url(String text) {
        try {
            URI uri = new URI(text.endsWith("/") ? text : text + "/");
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                    || uri.getHost() == null) {
                throw new ConfigException("ari.url", text + " (expected: http://host:port/)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("ari.url", text + " (expected: http://host:port/): " + e.getMessage(), e);
        }
    }

    private static String password(JsonNode ari, Function<String, String> env) {
        // The environment wins, as AMI_SECRET does for AMI (the usual container convention).
        String fromEnv = env.apply(PASSWORD_ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        boolean inline = ari.has("password");
        boolean file = ari.has("password-file");
        if (inline && file) {
            throw new ConfigException("ari.password", "given together with ari.password-file (expected: one of them)");
        }
        if (inline) {
            return text(ari, "password", "");
        }
        if (file) {
            Path path = Path.of(text(ari, "password-file", ""));
            try {
                // One line, as written by `echo secret > file`: the trailing newline is not part of the secret.
                return Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new ConfigException("ari.password-file", path + ": cannot read it (" + e
                        + "; expected: a file readable by the agent holding the ARI password)", e);
            }
        }
        throw new ConfigException("ari.password", "missing (expected: ari.password-file, or the environment variable "
                + PASSWORD_ENV + ")");
    }

    private static List<String> names(String path, JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ConfigException(path, (node == null ? "missing" : node.toString())
                    + " (expected: a non-empty list of Stasis application names, e.g. [Conference, Echo])");
        }
        Set<String> apps = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode app = node.get(i);
            String key = path + "[" + i + "]";
            if (!app.isTextual() || !APP_NAME.matcher(app.asText()).matches()) {
                throw new ConfigException(key, app + " (expected: a name of letters, digits, '_' or '-')");
            }
            if (!apps.add(app.asText())) {
                throw new ConfigException(key, app.asText() + " (expected: each application once)");
            }
        }
        return new ArrayList<>(apps);
    }

    private static String text(JsonNode parent, String name, String defaultValue) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            throw new ConfigException("ari." + name, value + " (expected: a string)");
        }
        return value.asText();
    }

    private static Duration duration(JsonNode parent, String name, Duration defaultValue) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (!value.isTextual()) {
            throw new ConfigException("ari." + name, value + " (expected: a duration with its unit, like 250ms, 2s, 1m)");
        }
        return Durations.parsePositive("ari." + name, value.asText());
    }
}
