package io.roundhouse.agent.services;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.agent.admission.AdmissionThresholds;
import io.roundhouse.shared.config.ConfigException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The {@code services:} block: admission thresholds and options per Stasis service.
 *
 * <pre>
 * services:
 *   Conference:
 *     max-participants-per-node: 200   # hard limit, joins to hosted rooms included
 *     new-room-max-channels: 150       # a new room only while the node has fewer channels
 *     new-room-max-cpu: 80             # ... and less CPU (percent, smoothed; off: not consulted)
 *     placement-key: "${room}"         # must render the router's affinity key for the room
 *   Echo:
 *     max-channels: 150
 *     max-cpu: 80
 *     sound: "sound:demo-congrats"
 * </pre>
 * {@code new-room-max-channels}/{@code max-channels} and {@code new-room-max-cpu}/{@code max-cpu} name the same
 * thresholds (the first spelling reads better for Conference); giving both spellings is an error.
 *
 * @param byName settings per service name, in file order
 */
public record ServicesSettings(Map<String, ServiceSettings> byName) {

    public ServicesSettings {
        byName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    /** The settings of a service, or its defaults when the block does not mention it. */
    public ServiceSettings of(String name) {
        ServiceSettings settings = byName.get(name);
        return settings != null ? settings : ServiceSettings.defaults(name);
    }

    /** Parses the {@code services:} node; a missing node means every service runs with its defaults. */
    public static ServicesSettings parse(JsonNode services) {
        if (services == null || services.isMissingNode() || services.isNull()) {
            return new ServicesSettings(Map.of());
        }
        if (!services.isObject()) {
            throw new ConfigException("services", services.getNodeType() + " (expected: a map of service name to settings)");
        }
        Map<String, ServiceSettings> byName = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            byName.put(entry.getKey(), service(entry.getKey(), entry.getValue()));
        }
        return new ServicesSettings(byName);
    }

    private static ServiceSettings service(String name, JsonNode node) {
        String path = "services." + name;
        if (node == null || node.isNull()) {
            return ServiceSettings.defaults(name);
        }
        if (!node.isObject()) {
            throw new ConfigException(path, node.getNodeType() + " (expected: a map of thresholds and options)");
        }
        AdmissionThresholds d = AdmissionThresholds.DEFAULTS;
        int maxChannels = intOf(node, path, "new-room-max-channels", "max-channels", d.maxChannels());
        OptionalDouble maxCpu = cpuOf(node, path, d.maxCpuPercent());
        int maxParticipants = intOf(node, path, "max-participants-per-node", null, d.maxParticipants());
        Map<String, String> options = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> option = it.next();
            String key = option.getKey();
            if (key.equals("new-room-max-channels") || key.equals("max-channels") || key.equals("new-room-max-cpu")
                    || key.equals("max-cpu") || key.equals("max-participants-per-node")) {
                continue;
            }
            if (!option.getValue().isValueNode() || option.getValue().isNull()) {
                throw new ConfigException(path + "." + key, option.getValue() + " (expected: a single value)");
            }
            options.put(key, option.getValue().asText());
        }
        return new ServiceSettings(name, new AdmissionThresholds(maxChannels, maxCpu, maxParticipants), options);
    }

    private static int intOf(JsonNode node, String path, String key, String alias, int defaultValue) {
        JsonNode value = pick(node, path, key, alias);
        if (value == null) {
            return defaultValue;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
            throw new ConfigException(path + "." + (node.has(key) ? key : alias), value
                    + " (expected: a whole number >= 0)");
        }
        return value.asInt();
    }

    /** A percentage, or {@code off}: no CPU admission (docs/asterisk.md, for nodes that do not own their host's CPU). */
    private static OptionalDouble cpuOf(JsonNode node, String path, OptionalDouble defaultValue) {
        JsonNode value = pick(node, path, "new-room-max-cpu", "max-cpu");
        if (value == null) {
            return defaultValue;
        }
        // YAML 1.1 (which the parser follows) reads an unquoted off as false: both mean the same here.
        if (value.isTextual() && value.asText().equals("off") || value.isBoolean() && !value.asBoolean()) {
            return OptionalDouble.empty();
        }
        double cpu = value.asDouble(-1);
        if (!value.isNumber() || cpu < 0 || cpu > 100) {
            throw new ConfigException(path + "." + (node.has("new-room-max-cpu") ? "new-room-max-cpu" : "max-cpu"),
                    value + " (expected: a percentage 0..100, or off)");
        }
        return OptionalDouble.of(cpu);
    }

    private static JsonNode pick(JsonNode node, String path, String key, String alias) {
        if (alias != null && node.has(key) && node.has(alias)) {
            throw new ConfigException(path + "." + alias, "given together with " + key + " (expected: one of them)");
        }
        JsonNode value = node.get(key);
        return value != null ? value : alias == null ? null : node.get(alias);
    }
}
