package io.roundhouse.agent.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.roundhouse.agent.ari.AriSettings;
import io.roundhouse.agent.services.ServicesSettings;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Durations;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.metrics.MetricsEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the agent's YAML file into a validated {@link AgentConfig}. Every error is a {@link ConfigException} naming the
 * key as a dotted path and saying what was expected, so the operator can fix the file without reading code.
 *
 * <p>The {@code redis:} block is read by the shared parser ({@link RedisSettings#fromConfig}, with the
 * {@code REDIS_URL}/{@code REDIS_PASSWORD} overrides), {@code ari:} and {@code services:} by the ARI side's parsers,
 * so a bad value anywhere fails at start-up.
 *
 * <p>The AMI secret never needs to be in the file: {@code ami.secret-file} names a file holding it (relative paths
 * are resolved against the config file's folder), and the environment variable {@code AMI_SECRET}, when set,
 * overrides both (the usual container convention).
 */
public final class AgentConfigLoader {

    /** Environment variable that overrides {@code ami.secret} and {@code ami.secret-file}. */
    public static final String AMI_SECRET_ENV = "AMI_SECRET";

    private static final Set<String> TOP_KEYS = Set.of("node", "redis", "ami", "publish", "drain", "ari", "services",
            "metrics");
    private static final Set<String> NODE_KEYS = Set.of("id", "sip-uri", "max-channels", "asterisk-pid-file");
    private static final Set<String> AMI_KEYS = Set.of("host", "port", "username", "secret", "secret-file",
            "resync-interval", "action-timeout", "reconnect-min", "reconnect-max");
    private static final Set<String> PUBLISH_KEYS = Set.of("interval", "ttl", "debounce", "retry-min", "retry-max");
    private static final Set<String> DRAIN_KEYS = Set.of("timeout", "unreachable-timeout");

    private final Map<String, String> env;

    /** @param env the process environment (injected so tests can set {@code AMI_SECRET}) */
    public AgentConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public AgentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, base == null ? Path.of(".") : base);
    }

    /** Parses YAML text; {@code baseDir} resolves relative file names such as {@code ami.secret-file}. */
    public AgentConfig parse(String yaml, Path baseDir) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("(file)", "not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException("(file)", "empty (expected: node, redis and ami sections)");
        }
        Section top = new Section("", root);
        top.rejectUnknown(TOP_KEYS);
        NodeSettings node = node(top.required("node"));
        RedisSettings redis = RedisSettings.fromConfig(top.raw("redis").orElse(null), env);
        AmiSettings ami = ami(top.required("ami"), baseDir);
        PublishSettings publish = publish(top.optional("publish"));
        DrainSettings drain = drain(top.optional("drain"));
        Optional<AriSettings> ari = top.raw("ari").map(a -> AriSettings.parse(a, env::get));
        ServicesSettings services = ServicesSettings.parse(top.raw("services").orElse(null));
        if (ari.isEmpty() && top.has("services")) {
            throw new ConfigException("ari", "missing while services are configured (expected: an ari section, since"
                    + " the Stasis services run over ARI)");
        }
        Optional<InetSocketAddress> metrics = MetricsEndpoint.listenAddress(top.raw("metrics").orElse(null));
        return new AgentConfig(node, redis, ami, publish, drain, ari, services, metrics);
    }

    private static NodeSettings node(Section s) {
        s.rejectUnknown(NODE_KEYS);
        String id = s.string("id", null);
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new ConfigException(s.key("id"), "'" + id + "' (expected: letters, digits, '.', '_' or '-',"
                    + " at most 64, as it becomes part of Redis keys)");
        }
        String sipUri = s.string("sip-uri", null);
        if (!sipUri.startsWith("sip:") && !sipUri.startsWith("sips:")) {
            throw new ConfigException(s.key("sip-uri"), "'" + sipUri + "' (expected: a SIP URI such as sip:10.0.0.11:5060)");
        }
        int maxChannels = s.integer("max-channels", null, 1, 1_000_000);
        Path pidFile = Path.of(s.string("asterisk-pid-file", NodeSettings.DEFAULT_PID_FILE.toString()));
        return new NodeSettings(id, sipUri, maxChannels, pidFile);
    }

    private AmiSettings ami(Section s, Path baseDir) {
        s.rejectUnknown(AMI_KEYS);
        String host = s.string("host", "127.0.0.1");
        int port = s.integer("port", 5038, 1, 65535);
        String username = s.string("username", null);
        String secret = secret(s, baseDir);
        Duration resync = s.positiveDuration("resync-interval", "30s");
        Duration actionTimeout = s.positiveDuration("action-timeout", "5s");
        Duration reconnectMin = s.positiveDuration("reconnect-min", "500ms");
        Duration reconnectMax = s.positiveDuration("reconnect-max", "30s");
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new ConfigException(s.key("reconnect-max"), reconnectMax + " (expected: at least reconnect-min, "
                    + reconnectMin + ")");
        }
        return new AmiSettings(host, port, username, secret, resync, actionTimeout, reconnectMin, reconnectMax);
    }

    private String secret(Section s, Path baseDir) {
        String fromEnv = env.get(AMI_SECRET_ENV);
        boolean inline = s.has("secret");
        boolean file = s.has("secret-file");
        if (inline && file) {
            throw new ConfigException(s.key("secret"), "both secret and secret-file are set (expected: one of them)");
        }
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv;
        }
        if (inline) {
            return s.string("secret", null);
        }
        if (file) {
            Path path = baseDir.resolve(s.string("secret-file", null));
            try {
                String text = Files.readString(path, StandardCharsets.UTF_8).strip();
                if (text.isEmpty()) {
                    throw new ConfigException(s.key("secret-file"), path + " is empty (expected: the AMI secret)");
                }
                return text;
            } catch (IOException e) {
                throw new ConfigException(s.key("secret-file"), "cannot read " + path + ": " + e.getMessage(), e);
            }
        }
        throw new ConfigException(s.key("secret"), "missing (expected: ami.secret, ami.secret-file, or the environment"
                + " variable " + AMI_SECRET_ENV + ")");
    }

    private static PublishSettings publish(Optional<Section> section) {
        Section s = section.orElse(Section.EMPTY_PUBLISH);
        s.rejectUnknown(PUBLISH_KEYS);
        Duration interval = s.positiveDuration("interval", "1s");
        Duration ttl = s.positiveDuration("ttl", "3s");
        Duration debounce = s.duration("debounce", "200ms");
        Duration retryMin = s.positiveDuration("retry-min", "500ms");
        Duration retryMax = s.positiveDuration("retry-max", "10s");
        if (ttl.compareTo(interval.multipliedBy(2)) < 0) {
            // One lost heartbeat must not make a healthy node vanish from every router.
            throw new ConfigException(s.key("ttl"), ttl + " (expected: at least twice publish.interval, " + interval + ")");
        }
        if (debounce.compareTo(interval) > 0) {
            throw new ConfigException(s.key("debounce"), debounce + " (expected: at most publish.interval, " + interval + ")");
        }
        if (retryMax.compareTo(retryMin) < 0) {
            throw new ConfigException(s.key("retry-max"), retryMax + " (expected: at least retry-min, " + retryMin + ")");
        }
        return new PublishSettings(interval, ttl, debounce, retryMin, retryMax);
    }

    private static DrainSettings drain(Optional<Section> section) {
        Section s = section.orElse(Section.EMPTY_DRAIN);
        s.rejectUnknown(DRAIN_KEYS);
        Duration timeout = s.positiveDuration("timeout", "300s");
        Duration unreachable = s.has("unreachable-timeout") ? s.positiveDuration("unreachable-timeout", null)
                : min(Duration.ofSeconds(30), timeout);
        if (unreachable.compareTo(timeout) > 0) {
            throw new ConfigException(s.key("unreachable-timeout"), unreachable + " (expected: at most drain.timeout, "
                    + timeout + ")");
        }
        return new DrainSettings(timeout, unreachable);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** One mapping of the YAML tree with its dotted path, for error messages. */
    private record Section(String path, JsonNode node) {

        static final Section EMPTY_PUBLISH = new Section("publish", com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode());
        static final Section EMPTY_DRAIN = new Section("drain", com.fasterxml.jackson.databind.node.JsonNodeFactory
                .instance.objectNode());

        Section {
            if (!node.isObject()) {
                throw new ConfigException(path.isEmpty() ? "(file)" : path,
                        "a value of type " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                                + " (expected: a mapping)");
            }
        }

        String key(String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        boolean has(String name) {
            JsonNode v = node.get(name);
            return v != null && !v.isNull();
        }

        void rejectUnknown(Set<String> known) {
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!known.contains(name)) {
                    throw new ConfigException(key(name), "unknown key (expected one of: "
                            + known.stream().sorted().toList() + ")");
                }
            }
        }

        Section required(String name) {
            if (!has(name)) {
                throw new ConfigException(key(name), "missing (expected: a mapping)");
            }
            return new Section(key(name), node.get(name));
        }

        Optional<Section> optional(String name) {
            return has(name) ? Optional.of(new Section(key(name), node.get(name))) : Optional.empty();
        }

        Optional<JsonNode> raw(String name) {
            return has(name) ? Optional.of(node.get(name)) : Optional.empty();
        }

        String string(String name, String fallback) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (fallback == null) {
                    throw new ConfigException(key(name), "missing (expected: a value)");
                }
                return fallback;
            }
            if (!v.isValueNode() || v.asText().isBlank()) {
                throw new ConfigException(key(name), "'" + v + "' (expected: a non-empty text)");
            }
            return v.asText().trim();
        }

        int integer(String name, Integer fallback, int min, int max) {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                if (fallback == null) {
                    throw new ConfigException(key(name), "missing (expected: an integer " + min + ".." + max + ")");
                }
                return fallback;
            }
            if (!v.canConvertToInt() || !(v.isIntegralNumber() || v.asText().matches("-?\\d+"))) {
                throw new ConfigException(key(name), "'" + v.asText() + "' (expected: an integer " + min + ".." + max + ")");
            }
            int value = v.isIntegralNumber() ? v.intValue() : Integer.parseInt(v.asText());
            if (value < min || value > max) {
                throw new ConfigException(key(name), value + " (expected: an integer " + min + ".." + max + ")");
            }
            return value;
        }

        Duration duration(String name, String fallback) {
            return Durations.parse(key(name), string(name, fallback));
        }

        Duration positiveDuration(String name, String fallback) {
            Duration d = duration(name, fallback);
            if (d.isZero()) {
                throw new ConfigException(key(name), "0 (expected: a positive duration)");
            }
            return d;
        }
    }
}
