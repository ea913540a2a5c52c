package io.roundhouse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.RedisSettings;
import io.roundhouse.shared.state.RedisState;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The operator verbs of {@code ./roundhouse}: see and steer a farm through a router's admin API, or through Redis
 * alone. Tables by default, {@code --json} for scripts. Every failure is one line on stderr with a non-zero status.
 */
@Command(name = "roundhouse", mixinStandardHelpOptions = true, version = "roundhouse 0.1.0",
        description = "See and steer a Roundhouse farm: nodes, rooms, decisions, drain/undrain/disable/enable, reload.",
        footer = {"", "Source: a router's admin API (--admin, default $" + RoundhouseCli.ADMIN_ENV + " or "
                + RoundhouseCli.DEFAULT_ADMIN + "), or Redis alone (--redis URL, no router needed).",
                "Mutations through the admin API take the token from $" + RoundhouseCli.TOKEN_ENV + ".",
                "Exit status: 0 done, 1 unreachable or refused, 2 usage, 3 unknown node, 4 token missing or wrong."})
public final class RoundhouseCli {

    static final String TOKEN_ENV = "ROUNDHOUSE_ADMIN_TOKEN";
    static final String ADMIN_ENV = "ROUNDHOUSE_ADMIN_URL";
    static final String DEFAULT_ADMIN = "http://127.0.0.1:9465";
    static final String[] VERBS = {"drain", "undrain", "disable", "enable"};

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--admin", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "A router's admin API (default: $" + ADMIN_ENV + " or " + DEFAULT_ADMIN + ").")
    String admin;

    @Option(names = "--redis", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Read and write Redis directly instead (redis://[[user]:password@]host[:port][/db]).")
    String redis;

    @Option(names = "--key-prefix", scope = ScopeType.INHERIT, paramLabel = "PREFIX", defaultValue = "rh:",
            description = "Key prefix of the contract in Redis, with --redis (default: ${DEFAULT-VALUE}).")
    String keyPrefix;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print JSON instead of a table.")
    boolean json;

    private final Map<String, String> env;

    RoundhouseCli(Map<String, String> env) {
        this.env = env;
    }

    // ------------------------------------------------------------------------------------------------------ verbs

    @Command(name = "nodes", description = "Every node: state, health, last probe, calls, CPU, rooms, full marks, age,"
            + " scores.")
    int nodes() {
        try (FarmSource farm = source()) {
            JsonNode nodes = farm.nodes();
            if (json) {
                return print(nodes);
            }
            Table t = new Table("NODE", "STATE", "HEALTH", "PROBE", "CALLS", "CPU", "ROOMS", "FULL", "AGE", "SCORES",
                    "URI");
            for (JsonNode n : nodes) {
                t.row(n.path("id").asText(), state(n), text(n.path("health")), probe(n.path("last-probe")), calls(n),
                        cpu(n),
                        Integer.toString(n.path("rooms").size()), join(n.path("full")), age(n), scores(n),
                        n.path("uri").asText());
            }
            return print(t);
        }
    }

    @Command(name = "rooms", description = "Conference rooms: where each lives and its participants.")
    int rooms() {
        try (FarmSource farm = source()) {
            JsonNode rooms = farm.rooms();
            if (json) {
                return print(rooms);
            }
            Table t = new Table("ROOM", "NODE", "PARTICIPANTS", "NODE-STATE");
            for (JsonNode r : rooms) {
                t.row(r.path("key").asText(), r.path("node").asText(), text(r.path("participants")),
                        r.path("node-state").asText());
            }
            return print(t);
        }
    }

    @Command(name = "decisions", description = "The newest dispatch decisions with their reasons, newest first.")
    int decisions(@Option(names = {"-n", "--limit"}, defaultValue = "20", paramLabel = "N",
            description = "How many (1..1000, default ${DEFAULT-VALUE}).") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new CliException(CliException.USAGE, "-n " + limit + " (expected: 1..1000)");
        }
        try (FarmSource farm = source()) {
            JsonNode decisions = farm.decisions(limit);
            if (json) {
                return print(decisions);
            }
            Table t = new Table("TIME", "CALL-ID", "SERVICE", "NODE", "REASON", "ATTEMPT", "FAILED", "CANDIDATES",
                    "EXCLUDED", "ROUTER");
            for (JsonNode d : decisions) {
                t.row(time(d.path("at").asText("-")), d.path("call-id").asText("-"), d.path("service").asText("-"),
                        d.path("node").asText("-"), d.path("reason").asText("-"), d.path("attempt").asText("-"),
                        d.path("failed").asText("-"), d.path("candidates").asText("-"), d.path("excluded").asText("-"),
                        d.path("router").asText("-"));
            }
            return print(t);
        }
    }

    @Command(name = "drain", description = "No new calls or rooms on NODE; calls in progress and joins go on.")
    int drain(@Parameters(paramLabel = "NODE") String node) {
        return control(node, "drain");
    }

    @Command(name = "undrain", description = "NODE back from draining (a disabled node needs enable).")
    int undrain(@Parameters(paramLabel = "NODE") String node) {
        return control(node, "undrain");
    }

    @Command(name = "disable", description = "No calls at all on NODE, at once (with or without its agent).")
    int disable(@Parameters(paramLabel = "NODE") String node) {
        return control(node, "disable");
    }

    @Command(name = "enable", description = "NODE back to active from draining or disabled.")
    int enable(@Parameters(paramLabel = "NODE") String node) {
        return control(node, "enable");
    }

    @Command(name = "reload", description = "The router re-reads its configuration file (needs --admin).")
    int reload() {
        try (FarmSource farm = source()) {
            JsonNode answer = farm.reload();
            if (json) {
                return print(answer);
            }
            spec.commandLine().getOut().println("reloaded: " + answer.path("changes").asText("-"));
            return 0;
        }
    }

    private int control(String node, String verb) {
        try (FarmSource farm = source()) {
            JsonNode after = farm.control(node, verb);
            if (json) {
                return print(after);
            }
            spec.commandLine().getOut().println(node + ": " + verb + " done; state " + state(after) + ", control "
                    + text(after.path("control")));
            return 0;
        }
    }

    // ------------------------------------------------------------------------------------------------ sources

    FarmSource source() {
        if (redis != null) {
            if (admin != null) {
                throw new CliException(CliException.USAGE, "--admin and --redis: choose one source");
            }
            ObjectNode block = JsonNodeFactory.instance.objectNode().put("url", redis).put("key-prefix", keyPrefix);
            // The command line names the Redis: REDIS_URL must not override it (REDIS_PASSWORD still applies).
            Map<String, String> redisEnv = new HashMap<>(env);
            redisEnv.remove("REDIS_URL");
            RedisSettings settings;
            try {
                settings = RedisSettings.fromConfig(block, redisEnv);
            } catch (ConfigException e) {
                throw new CliException(CliException.USAGE, "--redis: " + e.getMessage(), e);
            }
            return new RedisFarm(new RedisState(settings), System::currentTimeMillis);
        }
        String url = admin != null ? admin : env.getOrDefault(ADMIN_ENV, DEFAULT_ADMIN);
        return new AdminApi(url, Optional.ofNullable(env.get(TOKEN_ENV)).map(String::strip).filter(t -> !t.isEmpty()));
    }

    // ---------------------------------------------------------------------------------------------- rendering

    private int print(JsonNode node) {
        try {
            spec.commandLine().getOut().println(JSON.writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return 0;
    }

    private int print(Table t) {
        PrintWriter out = spec.commandLine().getOut();
        out.print(t);
        out.flush();
        return 0;
    }

    /** The state with who set it: the operator's control, or the agent reporting its Asterisk unreachable. */
    private static String state(JsonNode n) {
        String s = n.path("state").asText("-");
        String control = n.hasNonNull("control") ? n.get("control").asText() + " by operator" : null;
        if ("unreachable".equals(n.path("status").asText())) {
            return s + " (Asterisk unreachable" + (control == null ? "" : "; " + control) + ")";
        }
        return control == null ? s : s + " (" + control + ")";
    }

    /** The last OPTIONS probe: {@code 200 3ms 1.2s ago}, {@code missed 4.0s ago}, or {@code -} without probing. */
    private static String probe(JsonNode p) {
        if (!p.isObject()) {
            return "-";
        }
        String result = "ok".equals(p.path("result").asText())
                ? p.path("status").asText() + " " + Math.round(p.path("latency-seconds").asDouble() * 1000) + "ms"
                : "missed";
        return result + " " + String.format(java.util.Locale.ROOT, "%.1fs", p.path("age-seconds").asDouble()) + " ago";
    }

    /** Whether the node's agent publishes a state (a static node without an agent has no status). */
    private static boolean hasAgent(JsonNode n) {
        return n.hasNonNull("status");
    }

    private static String text(JsonNode v) {
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }

    /** {@code 42/200}; {@code unknown/200} while the agent cannot count (Asterisk unreachable); {@code -} no agent. */
    private static String calls(JsonNode n) {
        if (!n.hasNonNull("channels") && !hasAgent(n)) {
            return "-";
        }
        return (n.hasNonNull("channels") ? n.get("channels").asText() : "unknown") + "/"
                + (n.hasNonNull("max-channels") ? n.get("max-channels").asText() : "?");
    }

    private static String cpu(JsonNode n) {
        if (n.hasNonNull("cpu")) {
            return String.format(java.util.Locale.ROOT, "%.0f%%", n.get("cpu").asDouble());
        }
        return hasAgent(n) ? "unknown" : "-";
    }

    private static String age(JsonNode n) {
        return n.hasNonNull("updated-age-seconds")
                ? String.format(java.util.Locale.ROOT, "%.1fs", n.get("updated-age-seconds").asDouble()) : "-";
    }

    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(i -> items.add(i.asText()));
        return String.join(",", items);
    }

    /** {@code service=score} for each service the node could take now, {@code service:why} for the others. */
    private static String scores(JsonNode n) {
        List<String> items = new ArrayList<>();
        for (JsonNode s : n.path("services")) {
            String service = s.path("service").asText();
            items.add(s.hasNonNull("score") ? service + "=" + String.format(java.util.Locale.ROOT, "%.3f",
                    s.get("score").asDouble()) : service + ":" + s.path("why-not").asText("-"));
        }
        return String.join(" ", items);
    }

    /** A decision's {@code at=}: ISO-8601, or epoch milliseconds in older lines; both printed alike, in UTC. */
    private static String time(String at) {
        try {
            return TIME.format(Instant.ofEpochMilli(Long.parseLong(at))) + "Z";
        } catch (NumberFormatException notMillis) {
            try {
                return TIME.format(Instant.parse(at)) + "Z";
            } catch (java.time.format.DateTimeParseException neither) {
                return at;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------- main

    /** Runs one command line; returns the exit status. */
    static int run(Map<String, String> env, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new RoundhouseCli(env));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                commandLine.getErr().println("roundhouse: " + c.getMessage());
                return c.exitCode();
            }
            throw e;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        int code = run(System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
        System.exit(code);
    }
}
