package io.roundhouse.router.services;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import io.roundhouse.shared.text.Template;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One entry of the {@code services:} list: what a call must look like, and what it is then for.
 *
 * @param name           service name (used in logs, metrics and full marks)
 * @param ruriUser       pattern searched in the Request-URI user, or null for any
 * @param ruriHost       pattern searched in the Request-URI host, or null for any
 * @param headers        header name to pattern searched in any of its values; the header must be present
 * @param groupNames     named groups of all patterns, in the order they are looked up
 * @param app            Stasis application the node runs (X-Exec-App)
 * @param appData        data for the application (X-Exec-App-Data)
 * @param affinity       affinity key template, or empty when calls of this service need no placement
 * @param nodes          node pool in the operator's order (priority order), empty for every node
 * @param strategy       how to pick among eligible nodes
 * @param hashKey        what the hash strategy hashes
 */
public record ServiceRule(
        String name,
        Pattern ruriUser,
        Pattern ruriHost,
        Map<String, Pattern> headers,
        List<String> groupNames,
        String app,
        Template appData,
        Optional<Template> affinity,
        List<String> nodes,
        StrategyKind strategy,
        HashKey hashKey) {

    /** Variables every rule's templates may use, whatever its match. */
    public static final java.util.Set<String> BUILT_INS = java.util.Set.of("ruri-user", "ruri-host", "ruri",
            "from-user", "to-user", "call-id");
    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final Pattern SERVICE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]*$");

    public ServiceRule {
        headers = Map.copyOf(headers);
        groupNames = List.copyOf(groupNames);
        nodes = List.copyOf(nodes);
    }

    /** {@code match:} of a rule: patterns searched in the Request-URI and in headers. */
    public record Match(String ruriUser, String ruriHost, Map<String, String> headers) {
        public Match {
            headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }
    }

    /**
     * One item of {@code services:} as written; every key is validated here (keys relative to the item): patterns
     * compile, templates name only known variables, {@code hash-key} only with {@code strategy: hash}.
     */
    @JsonCreator
    static ServiceRule bind(@JsonProperty("name") String name, @JsonProperty("match") Match match,
                            @JsonProperty("app") String app, @JsonProperty("app-data") String appData,
                            @JsonProperty("affinity") String affinity, @JsonProperty("nodes") List<String> nodes,
                            @JsonProperty("strategy") StrategyKind strategy, @JsonProperty("hash-key") HashKey hashKey) {
        name = Require.text("name", name, "a service name");
        if (!SERVICE_NAME.matcher(name).matches()) {
            throw new ConfigException("name", name + " (expected: letters, digits, '-', '_', '.')");
        }
        Match m = match == null ? new Match(null, null, null) : match;
        Set<String> groups = new LinkedHashSet<>();
        Pattern ruriUser = pattern("match.ruri-user", m.ruriUser(), groups);
        Pattern ruriHost = pattern("match.ruri-host", m.ruriHost(), groups);
        Map<String, Pattern> headers = new LinkedHashMap<>();
        m.headers().forEach((header, regex) -> headers.put(header, pattern("match.headers." + header,
                Require.item("match.headers." + header, regex, "a regular expression"), groups)));
        Set<String> known = new HashSet<>(BUILT_INS);
        known.addAll(groups);
        app = Require.text("app", app, "a Stasis application name");
        if (app.chars().anyMatch(c -> c < 0x21 || c == ',' || c == 0x7f)) {
            throw new ConfigException("app", app + " (expected: a Stasis application name without spaces or commas)");
        }
        Template data = Template.compile("app-data", appData == null ? "" : appData, known);
        Optional<Template> key = Optional.ofNullable(affinity).map(a -> Template.compile("affinity", a, known));
        if (key.isPresent() && key.get().source().chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException("affinity", "\"" + key.get().source()
                    + "\" (expected: no spaces; a placement key is one word)");
        }
        List<String> pool = nodes == null ? List.of() : nodes;
        for (int i = 0; i < pool.size(); i++) {
            Require.text("nodes[" + i + "]", pool.get(i), "a node id");
        }
        if (new HashSet<>(pool).size() != pool.size()) {
            throw new ConfigException("nodes", pool + " (expected: each node once)");
        }
        StrategyKind kind = strategy == null ? StrategyKind.LEAST_LOADED : strategy;
        if (hashKey != null && kind != StrategyKind.HASH) {
            throw new ConfigException("hash-key", "set but strategy is " + kind.configName()
                    + " (expected: strategy: hash)");
        }
        return new ServiceRule(name, ruriUser, ruriHost, headers, List.copyOf(groups), app, data, key, pool, kind,
                hashKey == null ? HashKey.CALL_ID : hashKey);
    }

    private static Pattern pattern(String key, String regex, Set<String> groups) {
        if (regex == null) {
            return null;
        }
        try {
            Pattern p = Pattern.compile(regex);
            Matcher names = GROUP_NAME.matcher(regex);
            while (names.find()) {
                groups.add(names.group(1));
            }
            return p;
        } catch (PatternSyntaxException e) {
            throw new ConfigException(key, "\"" + regex + "\" (expected: a regular expression; "
                    + e.getDescription() + " at offset " + e.getIndex() + ")", e);
        }
    }

    /** The rule applied to {@code call}, or empty when the call does not match. Runs on the event loop: no I/O. */
    public Optional<ServiceMatch> match(CallContext call) {
        Map<String, String> groups = groupNames.isEmpty() ? Map.of() : new HashMap<>();
        // The Request-URI is parsed only for a rule that matches on it (or, below, a template that names it).
        if (ruriUser != null && !find(ruriUser, call.requestUriUser(), groups)) {
            return Optional.empty();
        }
        if (ruriHost != null && !find(ruriHost, call.requestUriHost(), groups)) {
            return Optional.empty();
        }
        for (Map.Entry<String, Pattern> h : headers.entrySet()) {
            boolean any = false;
            for (String value : call.headerValues(h.getKey())) {
                if (find(h.getValue(), value, groups)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return Optional.empty();
            }
        }
        // Built-ins are read only when a template names them (From and To are parsed for this, on every call).
        Function<String, String> values = name -> {
            String builtIn = builtIn(call, name);
            return builtIn != null ? builtIn : groups.get(name);
        };
        // An affinity key that renders empty (its groups did not take part in the match) means no placement.
        Optional<String> key = affinity.map(t -> t.render(values)).filter(k -> !k.isEmpty());
        return Optional.of(new ServiceMatch(this, appData.render(values), key));
    }

    /** The value of one of {@link #BUILT_INS}, or null when {@code name} is not one. */
    private static String builtIn(CallContext call, String name) {
        return switch (name) {
            case "ruri-user" -> call.requestUriUser();
            case "ruri-host" -> call.requestUriHost();
            case "ruri" -> call.requestUri();
            case "from-user" -> call.fromUser();
            case "to-user" -> call.toUser();
            case "call-id" -> call.callId();
            default -> null;
        };
    }

    private boolean find(Pattern pattern, String input, Map<String, String> values) {
        if (pattern == null) {
            return true;
        }
        Matcher m = pattern.matcher(input == null ? "" : input);
        if (!m.find()) {
            return false;
        }
        for (String group : groupsOf(pattern, m)) {
            String v = m.group(group);
            if (v != null) {
                values.put(group, v);
            }
        }
        return true;
    }

    /** The rule's group names that this pattern defines, by pattern, learned at its first match. */
    private static final ConcurrentHashMap<Pattern, List<String>> GROUPS_BY_PATTERN = new ConcurrentHashMap<>();

    /**
     * A name belongs to one of the rule's patterns, and {@link Matcher#group(String)} throws for another pattern's:
     * that is asked once per pattern (Java 17 has no {@code Matcher.namedGroups()}), not once per call.
     */
    private List<String> groupsOf(Pattern pattern, Matcher matched) {
        return GROUPS_BY_PATTERN.computeIfAbsent(pattern, p -> {
            List<String> own = new ArrayList<>();
            for (String name : groupNames) {
                try {
                    matched.group(name);
                    own.add(name);
                } catch (IllegalArgumentException definedByAnotherPattern) {
                    // not this pattern's group: left out of its list
                }
            }
            return List.copyOf(own);
        });
    }
}
