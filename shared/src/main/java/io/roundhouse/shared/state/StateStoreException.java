package io.roundhouse.shared.state;

/**
 * The state store could not do what was asked: Redis unreachable, timed out, refused the command, or answered
 * something the contract cannot use. The message names the operation and the key; the cause is the client's exception.
 *
 * <p>Unchecked on purpose: callers on a hot path decide where to catch it (a router keeps dispatching from its last
 * snapshot, an agent retries its next heartbeat), but it is never swallowed inside {@code shared}.
 */
public class StateStoreException extends RuntimeException {

    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StateStoreException(String message) {
        super(message);
    }
}
