package io.roundhouse.agent.ari;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.shared.config.ConfigBinder;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    /**
     * Binds the {@code ari:} node (errors keyed {@code ari.*}); {@code env} looks up environment variables (injected
     * for tests).
     */
    public static AriSettings parse(JsonNode ari, Function<String, String> env) {
        Block block = new ConfigBinder().bind(ari, Block.class, "ari");
        if (block == null) {
            throw new ConfigException("ari", "missing (expected: a map with url, username, password-file, apps)");
        }
        return block.resolve(env);
    }

    /** The {@code ari:} block as written, validated; {@link #resolve} adds the password. */
    public record Block(String url, String username, String password, String passwordFile, List<String> apps,
                        Duration reconnectInitial, Duration reconnectMax, Duration pingInterval,
                        List<String> externalApps, Duration applicationsPoll) {

        private static final Duration POSITIVE = Duration.ofMillis(1);

        public Block {
            url = url == null ? DEFAULT_URL : Require.text("url", url, "http://host:port/");
            uri(url);
            username = username == null ? DEFAULT_USERNAME : Require.text("username", username, "the user of ari.conf");
            if (password != null && passwordFile != null) {
                throw new ConfigException("password", "given together with ari.password-file (expected: one of them)");
            }
            passwordFile = Require.optionalText("password-file", passwordFile, "a file holding the ARI password");
            externalApps = externalApps == null ? List.of() : names("external-apps", externalApps);
            apps = externalApps.isEmpty() || apps != null ? names("apps", apps) : List.of();
            for (String app : externalApps) {
                if (apps.contains(app)) {
                    throw new ConfigException("external-apps", app + " is also in ari.apps (expected: an application"
                            + " is the agent's own service or an operator's own, not both)");
                }
            }
            reconnectInitial = Require.atLeast("reconnect-initial", reconnectInitial, DEFAULT_RECONNECT_INITIAL,
                    POSITIVE);
            reconnectMax = Require.atLeast("reconnect-max", reconnectMax, DEFAULT_RECONNECT_MAX, POSITIVE);
            if (reconnectMax.compareTo(reconnectInitial) < 0) {
                throw new ConfigException("reconnect-max", reconnectMax + " (expected: at least reconnect-initial "
                        + reconnectInitial + ")");
            }
            pingInterval = Require.atLeast("ping-interval", pingInterval, DEFAULT_PING_INTERVAL, POSITIVE);
            applicationsPoll = Require.atLeast("applications-poll", applicationsPoll, DEFAULT_APPLICATIONS_POLL,
                    POSITIVE);
        }

        /**
         * The settings with the password: {@code ARI_PASSWORD} when set (as {@code AMI_SECRET} for AMI, the usual
         * container convention), else {@code password}, else the content of {@code password-file}.
         */
        public AriSettings resolve(Function<String, String> env) {
            return new AriSettings(uri(url), username, password(env), apps, reconnectInitial, reconnectMax,
                    pingInterval, externalApps, applicationsPoll);
        }

        private String password(Function<String, String> env) {
            String fromEnv = env.apply(PASSWORD_ENV);
            if (fromEnv != null && !fromEnv.isEmpty()) {
                return fromEnv;
            }
            if (password != null) {
                return password;
            }
            if (passwordFile != null) {
                Path path = Path.of(passwordFile);
                try {
                    // One line, as written by `echo secret > file`: the trailing newline is not part of the secret.
                    return Files.readString(path, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new ConfigException("ari.password-file", path + ": cannot read it (" + e
                            + "; expected: a file readable by the agent holding the ARI password)", e);
                }
            }
            throw new ConfigException("ari.password", "missing (expected: ari.password-file, or the environment"
                    + " variable " + PASSWORD_ENV + ")");
        }

        @Override
        public String toString() {
            return "AriSettings.Block[url=" + url + ", username=" + username + ", apps=" + apps + "]";
        }
    }

    private static URI uri(String text) {
        try {
            URI uri = new URI(text.endsWith("/") ? text : text + "/");
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                    || uri.getHost() == null) {
                throw new ConfigException("url", text + " (expected: http://host:port/)");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException("url", text + " (expected: http://host:port/): " + e.getMessage(), e);
        }
    }

    private static List<String> names(String key, List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new ConfigException(key, (names == null ? "missing" : "[]")
                    + " (expected: a non-empty list of Stasis application names, e.g. [Conference, Echo])");
        }
        Set<String> apps = new LinkedHashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String app = names.get(i);
            String at = key + "[" + i + "]";
            if (app == null || !APP_NAME.matcher(app).matches()) {
                throw new ConfigException(at, app + " (expected: a name of letters, digits, '_' or '-')");
            }
            if (!apps.add(app)) {
                throw new ConfigException(at, app + " (expected: each application once)");
            }
        }
        return List.copyOf(apps);
    }
}
