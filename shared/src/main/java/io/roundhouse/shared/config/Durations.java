package io.roundhouse.shared.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations written in Roundhouse's YAML files: a whole number and a unit ({@code 500ms}, {@code 2s},
 * {@code 5m}, {@code 1h}, {@code 1d}), or ISO-8601 ({@code PT2S}). A bare number is refused because its unit would be
 * a guess.
 */
public final class Durations {

    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)");
    private static final String EXPECTED = "expected: a duration such as 500ms, 2s, 5m, 1h, 1d or PT2S";

    private Durations() {
    }

    /**
     * Parses {@code text}; throws {@link ConfigException} naming {@code key} and quoting the text when it is not a
     * non-negative duration.
     */
    public static Duration parse(String key, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException(key, "empty (" + EXPECTED + ")");
        }
        String t = text.trim();
        Matcher m = SIMPLE.matcher(t);
        try {
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            if (t.startsWith("P") || t.startsWith("p")) {
                Duration d = Duration.parse(t);
                if (d.isNegative()) {
                    throw new ConfigException(key, "'" + text + "' is negative (" + EXPECTED + ")");
                }
                return d;
            }
        } catch (ArithmeticException | DateTimeParseException e) {
            throw new ConfigException(key, "'" + text + "' (" + EXPECTED + ")", e);
        }
        throw new ConfigException(key, "'" + text + "' (" + EXPECTED + ")");
    }

    /** As {@link #parse}, and also refuses zero. */
    public static Duration parsePositive(String key, String text) {
        Duration d = parse(key, text);
        if (d.isZero()) {
            throw new ConfigException(key, "'" + text + "' is zero (expected: a positive duration)");
        }
        return d;
    }
}
