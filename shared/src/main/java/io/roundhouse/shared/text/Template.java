package io.roundhouse.shared.text;

import io.roundhouse.shared.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A string with {@code ${name}} placeholders, compiled once at config load, the one template engine of the project:
 * the router's {@code app-data} and {@code affinity} (names: the rule's named groups and its built-in call variables)
 * and the agent's {@code placement-key} ({@code ${room}}, {@code ${arg1}}..{@code ${arg9}}).
 *
 * <p>Values come from the caller's message and end up in {@code X-Exec-App-Data} and {@code X-Exec-App-Placement},
 * which the node's dialplan hands to {@code Stasis(app, data)}: there a comma adds an argument (and so could name
 * another room's placement), and quotes, backslashes, parentheses, brackets, {@code $} and braces change how
 * Asterisk splits or evaluates the line. Every character of a value outside {@link #KEPT} is therefore
 * percent-encoded (RFC 3986 §2.1, UTF-8): a caller's value is always one argument, two different values never render
 * the same, and line breaks or control characters cannot reach a header. The template's own text (the operator's) is
 * kept as written, commas included.
 */
public final class Template {

    /** Characters of a value rendered as they are: RFC 3986 unreserved, and a few that mean nothing to a dialplan. */
    static final String KEPT = "-._~+*#@:!";

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

    /**
     * Renders with {@code values} (null: no value, rendered as ""), each value percent-encoded outside {@link #KEPT}.
     * The result is one word when the template's text is (placement keys are single words in the Redis contract: an
     * event line is split on spaces), and at most {@value #MAX_RENDERED_LENGTH} characters.
     */
    public String render(Function<String, String> values) {
        if (variables.isEmpty()) {
            return literals.get(0);
        }
        StringBuilder out = new StringBuilder(source.length() + 16);
        for (int v = 0; v < variables.size(); v++) {
            out.append(literals.get(v));
            String value = values.apply(variables.get(v));
            appendEncoded(out, value == null ? "" : value);
        }
        out.append(literals.get(variables.size()));
        return out.length() > MAX_RENDERED_LENGTH ? out.substring(0, MAX_RENDERED_LENGTH) : out.toString();
    }

    private static void appendEncoded(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || KEPT.indexOf(c) >= 0)) {
                out.append(c);
                continue;
            }
            int end = Character.isHighSurrogate(c) && i + 1 < value.length() ? i + 2 : i + 1;
            for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return source;
    }
}
