package io.roundhouse.router.dispatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A mapping of the router's YAML tree with its dotted path, so every bad value is reported as
 * {@code path.key: value (expected: ...)}. Unknown keys are errors: a typo must not silently fall back to a default.
 */
public final class YamlSection {


    private final String path;
    private final JsonNode node;

    private YamlSection(String path, JsonNode node) {
        this.path = path;
        this.node = node;
    }

    /** The section at {@code path} (a mapping), or an empty one when absent or null. */
    public static YamlSection of(String path, JsonNode node) {
        if (node != null && !node.isNull() && !node.isMissingNode() && !node.isObject()) {
            throw new ConfigException(path, node.toString() + " (expected: a mapping)");
        }
        return new YamlSection(path, node == null || node.isMissingNode() || node.isNull() ? null : node);
    }

    public String path() {
        return path;
    }

    public boolean isPresent() {
        return node != null;
    }

    public String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Rejects any key not in {@code allowed}. */
    public YamlSection allowOnly(Set<String> allowed) {
        if (node == null) {
            return this;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ConfigException(keyPath(name), "unknown key (expected one of: " + new java.util.TreeSet<>(allowed)
                        + ")");
            }
        }
        return this;
    }

    public boolean has(String key) {
        return raw(key) != null;
    }

    public JsonNode raw(String key) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public YamlSection section(String key) {
        return of(keyPath(key), raw(key));
    }

    public Optional<String> text(String key) {
        JsonNode v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new ConfigException(keyPath(key), v + " (expected: a string)");
        }
        return Optional.of(v.asText());
    }

    public String requiredText(String key) {
        String v = text(key).orElseThrow(() -> new ConfigException(keyPath(key), "missing (expected: a string)"));
        if (v.isBlank()) {
            throw new ConfigException(keyPath(key), "empty (expected: a non-empty string)");
        }
        return v;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.canConvertToInt() || !(v.isIntegralNumber() || v.isTextual() && v.asText().matches("-?[0-9]+"))) {
            throw new ConfigException(keyPath(key), v + " (expected: an integer " + min + ".." + max + ")");
        }
        int i = v.isTextual() ? Integer.parseInt(v.asText()) : v.asInt();
        if (i < min || i > max) {
            throw new ConfigException(keyPath(key), i + " (expected: an integer " + min + ".." + max + ")");
        }
        return i;
    }

    public double decimal(String key, double defaultValue, double min, double max) {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw new ConfigException(keyPath(key), v + " (expected: a number " + min + ".." + max + ")");
        }
        double d = v.asDouble();
        if (d < min || d > max) {
            throw new ConfigException(keyPath(key), d + " (expected: a number " + min + ".." + max + ")");
        }
        return d;
    }

    public boolean bool(String key, boolean defaultValue) {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw new ConfigException(keyPath(key), v + " (expected: true or false)");
        }
        return v.asBoolean();
    }

    /** A duration written {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} (shared {@link Durations}), at least {@code min}. */
    public Duration duration(String key, Duration defaultValue, Duration min) {
        JsonNode v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            // A bare number is refused, as everywhere in Roundhouse's configs: its unit would be a guess.
            throw new ConfigException(keyPath(key), v + " (expected: a duration with its unit, such as 500ms, 5s, 2m)");
        }
        Duration d = Durations.parse(keyPath(key), v.asText());
        if (d.compareTo(min) < 0) {
            throw new ConfigException(keyPath(key), v.asText() + " (expected: at least " + min.toMillis() + "ms)");
        }
        return d;
    }

    /** A list of strings; absent gives an empty list. */
    public List<String> textList(String key) {
        JsonNode v = raw(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new ConfigException(keyPath(key), v + " (expected: a list)");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isValueNode() || item.isNull() || item.asText().isBlank()) {
                throw new ConfigException(keyPath(key) + "[" + i + "]", item + " (expected: a non-empty string)");
            }
            out.add(item.asText());
        }
        return out;
    }

    /** Items of a list of mappings; absent gives an empty list. */
    public List<YamlSection> sectionList(String key) {
        JsonNode v = raw(key);
        List<YamlSection> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!v.isArray()) {
            throw new ConfigException(keyPath(key), "(expected: a list)");
        }
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isObject()) {
                throw new ConfigException(keyPath(key) + "[" + i + "]", item + " (expected: a mapping)");
            }
            out.add(new YamlSection(keyPath(key) + "[" + i + "]", item));
        }
        return out;
    }

    /** Field names in file order. */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        if (node != null) {
            node.fieldNames().forEachRemaining(out::add);
        }
        return out;
    }
}
