package io.roundhouse.shared.config;

/**
 * A configuration that cannot be used: names the offending key (as a dotted path, e.g. {@code sip.listen[1]}) and
 * the reason, so that an operator can fix the file without reading code. The reason is passed through {@link
 * SecretMask}: a message quoting a value cannot print a password.
 *
 * <p>A record's constructor throws it with a key relative to the record ({@code weight}, or empty for the value
 * itself); {@link ConfigBinder} puts the record's place in the file in front ({@code nodes[2].weight}).
 */
public final class ConfigException extends RuntimeException {

    private final String key;
    private final String reason;

    public ConfigException(String key, String reason) {
        this(key, reason, null);
    }

    public ConfigException(String key, String reason, Throwable cause) {
        super(key.isEmpty() ? SecretMask.mask(reason) : key + ": " + SecretMask.mask(reason), cause);
        this.key = key;
        this.reason = SecretMask.mask(reason);
    }

    /** The dotted path of the offending key. */
    public String key() {
        return key;
    }

    /** What is wrong and what was expected, without the key. */
    public String reason() {
        return reason;
    }

    /** The same error, its key placed under {@code path} ({@code redis} + {@code url} = {@code redis.url}). */
    public ConfigException under(String path) {
        return new ConfigException(join(path, key), reason, this);
    }

    /** {@code path} and {@code key} as one dotted path: {@code a} + {@code b} = {@code a.b}, {@code a} + {@code [0]} = {@code a[0]}. */
    public static String join(String path, String key) {
        if (path.isEmpty()) {
            return key;
        }
        if (key.isEmpty()) {
            return path;
        }
        return key.startsWith("[") ? path + key : path + "." + key;
    }
}
