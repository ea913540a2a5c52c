package io.roundhouse.shared.config;

/**
 * A configuration that cannot be used: names the offending key (as a dotted path, e.g. {@code sip.listen[1]}) and
 * the reason, so that an operator can fix the file without reading code.
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String reason) {
        super(key + ": " + reason);
        this.key = key;
    }

    public ConfigException(String key, String reason, Throwable cause) {
        super(key + ": " + reason, cause);
        this.key = key;
    }

    /** The dotted path of the offending key. */
    public String key() {
        return key;
    }
}
