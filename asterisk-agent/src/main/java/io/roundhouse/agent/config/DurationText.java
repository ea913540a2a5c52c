package io.roundhouse.agent.config;

import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them in YAML: {@code 200ms}, {@code 3s}, {@code 5m}, {@code 1h}. */
final class DurationText {

    private static final Pattern FORM = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)");

    private DurationText() {
    }

    static Duration parse(String key, String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new ConfigException(key, "'" + text + "' (expected: a duration such as 200ms, 3s, 5m or 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
