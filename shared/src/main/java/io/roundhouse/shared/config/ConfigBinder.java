package io.roundhouse.shared.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Binds a YAML document into a tree of validated, immutable config records (the one way Roundhouse reads its
 * configs), and turns every failure into a {@link ConfigException} naming the dotted path of the key:
 * {@code nodes[1].weight: 0 (expected: an integer 1..1000000)}.
 *
 * <p>The rules, the same for every process:
 * <ul>
 *   <li>keys are kebab-case ({@code max-attempts} binds {@code maxAttempts}, or an explicit {@code @JsonProperty});</li>
 *   <li>an unknown key is an error listing the known ones (a typo must not fall back to a default silently);</li>
 *   <li>a key written twice in one mapping is an error;</li>
 *   <li>numbers and booleans are written as such: {@code "42"} is not an integer, {@code 1.5} is not an integer;</li>
 *   <li>a {@link Duration} takes its unit ({@link Durations}): a bare number is refused;</li>
 *   <li>an absent key binds null: the record's constructor gives the default and validates
 *       ({@link Require}), throwing a {@link ConfigException} keyed relative to the record, which the binder places
 *       under the record's path;</li>
 *   <li>a value is quoted in an error unless its key names a secret ({@code secret}, {@code password},
 *       {@code token}) or it is a URL with credentials: those print as {@code ***}.</li>
 * </ul>
 */
public final class ConfigBinder {

    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(secret|password|token).*");
    private static final Pattern URL_WITH_CREDENTIALS = Pattern.compile("(?s)[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*@.*");

    private final ObjectMapper mapper;

    public ConfigBinder() {
        YAMLFactory yaml = new YAMLFactory();
        yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper = new ObjectMapper(yaml);
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.registerModule(new SimpleModule("roundhouse-config").addDeserializer(Duration.class,
                new DurationDeserializer()));
    }

    /** Reads a YAML document into a tree; bad YAML or an empty document is a {@link ConfigException}. */
    public JsonNode readTree(String yaml) {
        JsonNode root;
        try {
            root = mapper.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("(document)", "not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException("(document)", "empty (expected: a mapping of sections)");
        }
        return root;
    }

    /** Reads and binds a whole YAML document. */
    public <T> T bind(String yaml, Class<T> type) {
        return bind(readTree(yaml), type, "");
    }

    /**
     * Binds {@code node} (null or missing: an absent section, bound as YAML null) into {@code type}; errors are keyed
     * under {@code path}, the node's place in its document ({@code ""} for the root, {@code redis} for a section).
     */
    public <T> T bind(JsonNode node, Class<T> type, String path) {
        JsonNode value = node == null || node.isMissingNode() ? com.fasterxml.jackson.databind.node.NullNode.instance
                : node;
        try {
            return mapper.treeToValue(value, type);
        } catch (ConfigException e) {
            throw e.under(path);
        } catch (JsonProcessingException e) {
            throw translate(e, value, path);
        } catch (IllegalArgumentException e) {
            ConfigException cause = configCause(e);
            if (cause != null) {
                throw cause.under(path);
            }
            throw e;
        }
    }

    private static ConfigException translate(JsonProcessingException e, JsonNode root, String prefix) {
        if (e instanceof InvalidDefinitionException) {
            // A record the binder cannot build is a bug in the code, not in the operator's file.
            throw new IllegalStateException("config type cannot be bound: " + e.getOriginalMessage(), e);
        }
        List<JsonMappingException.Reference> refs = e instanceof JsonMappingException m ? m.getPath() : List.of();
        String at = ConfigException.join(prefix, path(refs));
        ConfigException cause = configCause(e);
        if (cause != null) {
            return new ConfigException(ConfigException.join(at, cause.key()), cause.reason(), cause);
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return new ConfigException(at, "unknown key (expected one of: " + u.getKnownPropertyIds().stream()
                    .map(String::valueOf).sorted().collect(Collectors.joining(", ")) + ")", e);
        }
        if (e instanceof MismatchedInputException m) {
            JsonNode value = at(root, refs);
            String shown = value == null || value.isMissingNode() ? "null" : show(lastKey(refs), value);
            return new ConfigException(at, shown + " (expected: " + expected(m.getTargetType()) + ")", e);
        }
        return new ConfigException(at, e.getOriginalMessage(), e);
    }

    private static ConfigException configCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                return c;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String path(List<JsonMappingException.Reference> refs) {
        String out = "";
        for (JsonMappingException.Reference r : refs) {
            out = ConfigException.join(out, r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return out;
    }

    private static String lastKey(List<JsonMappingException.Reference> refs) {
        for (int i = refs.size() - 1; i >= 0; i--) {
            if (refs.get(i).getFieldName() != null) {
                return refs.get(i).getFieldName();
            }
        }
        return "";
    }

    private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> refs) {
        JsonNode n = root;
        for (JsonMappingException.Reference r : refs) {
            if (n == null) {
                return null;
            }
            n = r.getFieldName() != null ? n.get(r.getFieldName()) : n.get(r.getIndex());
        }
        return n;
    }

    /** A value as the operator wrote it, or {@code ***} for a secret. */
    static String show(String key, JsonNode value) {
        if (SECRET_KEY.matcher(key).matches()
                || value.isTextual() && URL_WITH_CREDENTIALS.matcher(value.asText()).matches()) {
            return "***";
        }
        return value.isContainerNode() ? (value.isArray() ? "a list" : "a mapping") : value.toString();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 2s, 5m";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (type.isEnum()) {
            return java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'))
                    .collect(Collectors.joining(", "));
        }
        return Map.class.isAssignableFrom(type) || !type.isPrimitive() ? "a mapping" : type.getSimpleName();
    }

    /** Durations as everywhere in Roundhouse: a unit is required ({@link Durations}). */
    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                return Durations.parse("", p.getText());
            }
            if (p.currentToken().isNumeric()) {
                // A bare number is refused: its unit would be a guess.
                throw new ConfigException("", p.getText()
                        + " (expected: a duration with its unit, such as 500ms, 4s, 3m)");
            }
            throw new ConfigException("", (p.currentToken().isStructStart() ? "a " + (p.currentToken()
                    == JsonToken.START_ARRAY ? "list" : "mapping") : p.getText())
                    + " (expected: a duration such as 500ms, 2s, 5m)");
        }
    }
}
