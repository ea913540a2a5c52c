package io.roundhouse.router.services;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.shared.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What the {@code hash} strategy hashes (the {@code hash-key:} of a service rule). */
public enum HashKey {
    CALL_ID, FROM_USER, TO_USER, RURI;

    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The value of this key for a call. */
    public String of(CallContext call) {
        return switch (this) {
            case CALL_ID -> call.callId();
            case FROM_USER -> call.fromUser();
            case TO_USER -> call.toUser();
            case RURI -> call.requestUri();
        };
    }

    /** The value written in the config; errors are keyed relative to the value (see {@link ConfigException}). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static HashKey fromConfig(String word) {
        String key = "";
        for (HashKey k : values()) {
            if (k.configName().equals(word)) {
                return k;
            }
        }
        throw new ConfigException(key, word + " (expected: " + Arrays.stream(values()).map(HashKey::configName)
                .collect(Collectors.joining(", ")) + ")");
    }
}
