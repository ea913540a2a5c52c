package io.roundhouse.agent.services;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.agent.admission.AdmissionThresholds;
import io.roundhouse.shared.config.ConfigBinder;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.util.Collections;
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
        byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    /** The settings of a service, or its defaults when the block does not mention it. */
    public ServiceSettings of(String name) {
        ServiceSettings settings = byName.get(name);
        return settings != null ? settings : ServiceSettings.defaults(name);
    }

    /** Binds the {@code services:} node (errors keyed {@code services.*}); absent, every service has its defaults. */
    public static ServicesSettings parse(JsonNode services) {
        ServicesSettings bound = new ConfigBinder().bind(services, ServicesSettings.class, "services");
        return bound == null ? new ServicesSettings(Map.of()) : bound;
    }

    /** The block as written: a mapping of service name to its entry (an empty entry: the defaults). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ServicesSettings bind(LinkedHashMap<String, Entry> entries) {
        Map<String, ServiceSettings> byName = new LinkedHashMap<>();
        entries.forEach((name, entry) -> byName.put(name, entry == null ? ServiceSettings.defaults(name)
                : entry.settings(name)));
        return new ServicesSettings(byName);
    }

    /**
     * One service's entry: thresholds under either spelling, and the service's own options (each service refuses the
     * options it does not know, {@link ServiceSettings#requireKnownOptions}).
     */
    record Entry(Integer newRoomMaxChannels, Integer maxChannels, JsonNode newRoomMaxCpu, JsonNode maxCpu,
                 Integer maxParticipantsPerNode, @JsonAnySetter Map<String, JsonNode> options) {

        Entry {
            AdmissionThresholds d = AdmissionThresholds.DEFAULTS;
            notBoth("new-room-max-channels", newRoomMaxChannels, "max-channels", maxChannels);
            notBoth("new-room-max-cpu", newRoomMaxCpu, "max-cpu", maxCpu);
            Require.intIn(newRoomMaxChannels != null ? "new-room-max-channels" : "max-channels",
                    newRoomMaxChannels != null ? newRoomMaxChannels : maxChannels, d.maxChannels(), 0,
                    Integer.MAX_VALUE);
            Require.intIn("max-participants-per-node", maxParticipantsPerNode, d.maxParticipants(), 0,
                    Integer.MAX_VALUE);
            cpu(newRoomMaxCpu != null ? "new-room-max-cpu" : "max-cpu", newRoomMaxCpu != null ? newRoomMaxCpu : maxCpu);
            options = options == null ? Map.of() : new LinkedHashMap<>(options);
            options.forEach((key, value) -> {
                if (value == null || !value.isValueNode() || value.isNull()) {
                    throw new ConfigException(key, (value == null || value.isNull() ? "null"
                            : value.isArray() ? "a list" : "a mapping") + " (expected: a single value)");
                }
            });
            options = Collections.unmodifiableMap(options);
        }

        ServiceSettings settings(String name) {
            AdmissionThresholds d = AdmissionThresholds.DEFAULTS;
            int channels = newRoomMaxChannels != null ? newRoomMaxChannels : maxChannels != null ? maxChannels
                    : d.maxChannels();
            OptionalDouble cpu = cpu("", newRoomMaxCpu != null ? newRoomMaxCpu : maxCpu);
            Map<String, String> text = new LinkedHashMap<>();
            options.forEach((key, value) -> text.put(key, value.asText()));
            return new ServiceSettings(name, new AdmissionThresholds(channels, cpu == null ? d.maxCpuPercent() : cpu,
                    maxParticipantsPerNode != null ? maxParticipantsPerNode : d.maxParticipants()), text);
        }

        private static void notBoth(String key, Object value, String alias, Object aliasValue) {
            if (value != null && aliasValue != null) {
                throw new ConfigException(alias, "given together with " + key + " (expected: one of them)");
            }
        }

        /**
         * A percentage, or {@code off}: no CPU admission (docs/asterisk.md, for nodes that do not own their host's
         * CPU); null when absent.
         */
        private static OptionalDouble cpu(String key, JsonNode value) {
            if (value == null || value.isNull()) {
                return null;
            }
            // YAML 1.1 (which the parser follows) reads an unquoted off as false: both mean the same here.
            if (value.isTextual() && value.asText().equals("off") || value.isBoolean() && !value.asBoolean()) {
                return OptionalDouble.empty();
            }
            double cpu = value.asDouble(-1);
            if (!value.isNumber() || cpu < 0 || cpu > 100) {
                throw new ConfigException(key, value + " (expected: a percentage 0..100, or off)");
            }
            return OptionalDouble.of(cpu);
        }
    }
}
