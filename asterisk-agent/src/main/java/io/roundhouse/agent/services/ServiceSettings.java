package io.roundhouse.agent.services;

import io.roundhouse.agent.admission.AdmissionThresholds;
import io.roundhouse.shared.config.ConfigException;
import java.util.Map;
import java.util.Set;

/**
 * One entry of the {@code services:} block: the service's admission thresholds and its own options (for example
 * Conference's {@code placement-key}, Echo's {@code sound}).
 *
 * @param name       the service, which is also its Stasis application name
 * @param thresholds admission thresholds
 * @param options    the other keys, as text; each service rejects the keys it does not know
 */
public record ServiceSettings(String name, AdmissionThresholds thresholds, Map<String, String> options) {

    public ServiceSettings {
        options = Map.copyOf(options);
    }

    /** Settings with default thresholds and no options, for an application listed in {@code ari.apps} only. */
    public static ServiceSettings defaults(String name) {
        return new ServiceSettings(name, AdmissionThresholds.DEFAULTS, Map.of());
    }

    /** The option, or the default when absent. */
    public String option(String key, String defaultValue) {
        return options.getOrDefault(key, defaultValue);
    }

    /** Fails on an option the service does not know, naming the key as the operator wrote it. */
    public void requireKnownOptions(Set<String> known) {
        for (String key : options.keySet()) {
            if (!known.contains(key)) {
                throw new ConfigException("services." + name + "." + key, "unknown option of " + name
                        + (known.isEmpty() ? " (expected: a threshold only)" : " (expected one of: "
                        + String.join(", ", known.stream().sorted().toList()) + ", or a threshold)"));
            }
        }
    }
}
