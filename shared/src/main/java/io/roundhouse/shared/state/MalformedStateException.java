package io.roundhouse.shared.state;

/**
 * A value in Redis does not follow the contract (e.g. an operator typed {@code SET rh:control:asterisk-1 drainnig}).
 * The message names the key, the field, the value found and what was expected.
 */
public final class MalformedStateException extends StateStoreException {

    public MalformedStateException(String message) {
        super(message);
    }

    public MalformedStateException(String message, Throwable cause) {
        super(message, cause);
    }
}
