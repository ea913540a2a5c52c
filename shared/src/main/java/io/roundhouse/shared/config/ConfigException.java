package io.roundhouse.shared.config;

/**
 * A configuration that cannot be used: names the offending key (as a dotted path, e.g. {@code sip.listen[1]}) and
 * the reason, so that an operator can fix the file without reading code. The reason is passed through {@link
 * SecretMask}: a message quoting a value cannot print a password.
 */
public final class ConfigException extends RuntimeException {

    private final String key;

    public ConfigException(String key, String reason) {
        super(key + ": " + SecretMask.mask(reason));
        this.key = key;
    }

    public ConfigException(String key, String reason, Throwable cause) {
        super(key + ": " + SecretMask.mask(reason), cause);
        this.key = key;
    }

    /** The dotted path of the offending key. */
    public String key() {
        return key;
    }
}
