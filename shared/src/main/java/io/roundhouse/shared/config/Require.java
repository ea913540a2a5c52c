package io.roundhouse.shared.config;

import java.time.Duration;

/**
 * The checks that config records run in their constructors: a bound value that is null was absent from the file and
 * takes its default; a present one must be in range. Keys are relative to the record (see {@link ConfigException}).
 */
public final class Require {

    private Require() {
    }

    /** {@code value}, or {@code defaultValue} when absent; {@code min..max} inclusive. */
    public static int intIn(String key, Integer value, int defaultValue, int min, int max) {
        int v = value == null ? defaultValue : value;
        if (v < min || v > max) {
            throw new ConfigException(key, v + " (expected: an integer " + min + ".." + max + ")");
        }
        return v;
    }

    /** {@code value}, or {@code defaultValue} when absent; {@code min..max} inclusive. */
    public static double numberIn(String key, Double value, double defaultValue, double min, double max) {
        double v = value == null ? defaultValue : value;
        if (!(v >= min && v <= max)) {
            throw new ConfigException(key, v + " (expected: a number " + min + ".." + max + ")");
        }
        return v;
    }

    /** {@code value}, or {@code defaultValue} when absent; at least {@code min}. */
    public static Duration atLeast(String key, Duration value, Duration defaultValue, Duration min) {
        Duration d = value == null ? defaultValue : value;
        if (d.compareTo(min) < 0) {
            throw new ConfigException(key, d.toMillis() + "ms (expected: at least " + min.toMillis() + "ms)");
        }
        return d;
    }

    /** A present, non-blank text, trimmed. */
    public static String text(String key, String value, String expected) {
        if (value == null) {
            throw new ConfigException(key, "missing (expected: " + expected + ")");
        }
        if (value.isBlank()) {
            throw new ConfigException(key, "empty (expected: " + expected + ")");
        }
        return value.trim();
    }

    /** An absent text stays null; a present one must not be blank, and is trimmed. */
    public static String optionalText(String key, String value, String expected) {
        return value == null ? null : text(key, value, expected);
    }

    /** A list item that is present (YAML {@code - } with nothing after it is null). */
    public static <T> T item(String key, T value, String expected) {
        if (value == null) {
            throw new ConfigException(key, "null (expected: " + expected + ")");
        }
        return value;
    }
}
