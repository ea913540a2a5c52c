package io.roundhouse.router.services;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.roundhouse.shared.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How a service picks among its eligible nodes (the {@code strategy:} of a service rule). */
public enum StrategyKind {
    LEAST_LOADED, WEIGHTED, ROUND_ROBIN, HASH, PRIORITY;

    /** The word written in the config, e.g. {@code least-loaded}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The value written in the config; errors are keyed relative to the value (see {@link ConfigException}). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static StrategyKind fromConfig(String word) {
        String key = "";
        for (StrategyKind k : values()) {
            if (k.configName().equals(word)) {
                return k;
            }
        }
        throw new ConfigException(key, word + " (expected: " + Arrays.stream(values()).map(StrategyKind::configName)
                .collect(Collectors.joining(", ")) + ")");
    }
}
