package io.roundhouse.router.services;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.router.dispatch.config.YamlSection;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.text.Template;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads the {@code services:} list of the router's YAML tree into {@link ServiceRules}, validating every key. */
public final class ServiceRulesParser {

    private static final Set<String> RULE_KEYS = Set.of("name", "match", "app", "app-data", "affinity", "nodes",
            "strategy", "hash-key");
    private static final Set<String> MATCH_KEYS = Set.of("ruri-user", "ruri-host", "headers");
    private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");
    private static final Pattern SERVICE_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_.-]*$");

    private ServiceRulesParser() {
    }

    /** True when the tree has a {@code services:} key (otherwise the router keeps static round robin). */
    public static boolean present(JsonNode tree) {
        JsonNode s = tree == null ? null : tree.get("services");
        return s != null && !s.isNull();
    }

    /**
     * Parses {@code services:} of the root tree.
     *
     * @param knownNodes node ids a rule's {@code nodes:} may name, or null to skip that check (dynamic nodes are then
     *                   allowed too: a pool may name a node that only an agent will publish)
     */
    public static ServiceRules parse(JsonNode tree, Set<String> knownNodes) {
        YamlSection root = YamlSection.of("", tree);
        List<YamlSection> items = root.sectionList("services");
        if (items.isEmpty()) {
            throw new ConfigException("services", "empty (expected: at least one service rule)");
        }
        List<ServiceRule> rules = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (YamlSection item : items) {
            ServiceRule rule = parseRule(item, knownNodes);
            if (!names.add(rule.name())) {
                throw new ConfigException(item.keyPath("name"), rule.name() + " (expected: a name not used by another rule)");
            }
            rules.add(rule);
        }
        return new ServiceRules(rules);
    }

    static ServiceRule parseRule(YamlSection item, Set<String> knownNodes) {
        item.allowOnly(RULE_KEYS);
        String name = item.requiredText("name");
        if (!SERVICE_NAME.matcher(name).matches()) {
            throw new ConfigException(item.keyPath("name"), name + " (expected: letters, digits, '-', '_', '.')");
        }
        YamlSection match = item.section("match").allowOnly(MATCH_KEYS);
        Set<String> groups = new LinkedHashSet<>();
        Pattern ruriUser = pattern(match, "ruri-user", groups);
        Pattern ruriHost = pattern(match, "ruri-host", groups);
        Map<String, Pattern> headers = new LinkedHashMap<>();
        YamlSection headerSection = match.section("headers");
        for (String header : headerSection.keys()) {
            headers.put(header, pattern(headerSection, header, groups));
        }
        Set<String> known = new HashSet<>(ServiceRule.BUILT_INS);
        known.addAll(groups);
        String app = item.requiredText("app");
        if (app.chars().anyMatch(c -> c < 0x21 || c == ',' || c == 0x7f)) {
            throw new ConfigException(item.keyPath("app"), app + " (expected: a Stasis application name without spaces or commas)");
        }
        Template appData = Template.compile(item.keyPath("app-data"), item.text("app-data").orElse(""), known);
        Optional<Template> affinity = item.text("affinity")
                .map(a -> Template.compile(item.keyPath("affinity"), a, known));
        if (affinity.isPresent() && affinity.get().source().chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigException(item.keyPath("affinity"), "\"" + affinity.get().source()
                    + "\" (expected: no spaces; a placement key is one word)");
        }
        List<String> nodes = item.textList("nodes");
        if (new HashSet<>(nodes).size() != nodes.size()) {
            throw new ConfigException(item.keyPath("nodes"), nodes + " (expected: each node once)");
        }
        if (knownNodes != null) {
            for (int i = 0; i < nodes.size(); i++) {
                if (!knownNodes.contains(nodes.get(i))) {
                    throw new ConfigException(item.keyPath("nodes") + "[" + i + "]", nodes.get(i)
                            + " (expected one of the configured nodes: " + knownNodes + ")");
                }
            }
        }
        StrategyKind strategy = item.text("strategy").map(s -> StrategyKind.parse(item.keyPath("strategy"), s))
                .orElse(StrategyKind.LEAST_LOADED);
        HashKey hashKey = item.text("hash-key").map(h -> HashKey.parse(item.keyPath("hash-key"), h))
                .orElse(HashKey.CALL_ID);
        if (item.has("hash-key") && strategy != StrategyKind.HASH) {
            throw new ConfigException(item.keyPath("hash-key"), "set but strategy is " + strategy.configName()
                    + " (expected: strategy: hash)");
        }
        return new ServiceRule(name, ruriUser, ruriHost, headers, List.copyOf(groups), app, appData, affinity, nodes,
                strategy, hashKey);
    }

    private static Pattern pattern(YamlSection section, String key, Set<String> groups) {
        Optional<String> regex = section.text(key);
        if (regex.isEmpty()) {
            return null;
        }
        try {
            Pattern p = Pattern.compile(regex.get());
            Matcher names = GROUP_NAME.matcher(regex.get());
            while (names.find()) {
                groups.add(names.group(1));
            }
            return p;
        } catch (PatternSyntaxException e) {
            throw new ConfigException(section.keyPath(key), "\"" + regex.get() + "\" (expected: a regular expression; "
                    + e.getDescription() + " at offset " + e.getIndex() + ")", e);
        }
    }
}
