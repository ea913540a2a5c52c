package io.roundhouse.router.services;

import io.roundhouse.shared.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A string with {@code ${name}} placeholders, compiled once at config load. Names are the named groups of the rule's
 * regular expressions and the built-in call variables ({@link #BUILT_INS}).
 */
public final class Template {

    /** Variables every rule may use, whatever its match. */
    public static final Set<String> BUILT_INS = Set.of("ruri-user", "ruri-host", "ruri", "from-user", "to-user",
            "call-id");

    /** Longest rendered value: the result ends up in a SIP header and a dialplan argument. */
    static final int MAX_RENDERED_LENGTH = 256;

    private final String source;
    private final List<String> literals;
    private final List<String> variables;

    private Template(String source, List<String> literals, List<String> variables) {
        this.source = source;
        this.literals = literals;
        this.variables = variables;
    }

    /**
     * Compiles {@code source}; every variable must be in {@code known}.
     *
     * @throws ConfigException naming {@code key} on an unclosed or unknown placeholder
     */
    public static Template compile(String key, String source, Set<String> known) {
        List<String> literals = new ArrayList<>();
        List<String> variables = new ArrayList<>();
        int i = 0;
        StringBuilder literal = new StringBuilder();
        while (i < source.length()) {
            int open = source.indexOf("${", i);
            if (open < 0) {
                literal.append(source, i, source.length());
                break;
            }
            literal.append(source, i, open);
            int close = source.indexOf('}', open + 2);
            if (close < 0) {
                throw new ConfigException(key, "\"" + source + "\" (expected: a closing } after ${ at offset " + open + ")");
            }
            String name = source.substring(open + 2, close);
            if (!known.contains(name)) {
                throw new ConfigException(key, "\"" + source + "\": unknown variable ${" + name + "} (expected one of: "
                        + new java.util.TreeSet<>(known) + ")");
            }
            literals.add(literal.toString());
            literal.setLength(0);
            variables.add(name);
            i = close + 1;
        }
        literals.add(literal.toString());
        return new Template(source, List.copyOf(literals), List.copyOf(variables));
    }

    /** Renders with {@code values} (null: no value); a missing value renders as "", control characters are dropped. */
    public String render(Function<String, String> values) {
        return render(values, false);
    }

    /**
     * Renders as one word: spaces are dropped too. Placement keys are single words in the Redis contract (an event line
     * is split on spaces), and a caller must not be able to make one that Redis refuses.
     */
    public String renderWord(Function<String, String> values) {
        return render(values, true);
    }

    private String render(Function<String, String> values, boolean word) {
        if (variables.isEmpty()) {
            return literals.get(0);
        }
        StringBuilder out = new StringBuilder(source.length() + 16);
        for (int v = 0; v < variables.size(); v++) {
            out.append(literals.get(v));
            String value = values.apply(variables.get(v));
            appendClean(out, value == null ? "" : value, word);
        }
        out.append(literals.get(variables.size()));
        return out.length() > MAX_RENDERED_LENGTH ? out.substring(0, MAX_RENDERED_LENGTH) : out.toString();
    }

    /** Values come from the caller's message: never let one inject a line break into a header we add. */
    private static void appendClean(StringBuilder out, String value, boolean word) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0x20 && c != 0x7f || c == 0x20 && !word) {
                out.append(c);
            }
        }
    }

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
