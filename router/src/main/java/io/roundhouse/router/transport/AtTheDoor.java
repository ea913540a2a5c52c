package io.roundhouse.router.transport;

/** What became of a request looked at before the proxy's normal path (docs/security.md, "Overload"). */
public enum AtTheDoor {
    /** Nothing decided: the proxy goes on, and asks the overload guard itself where it must. */
    PASSED,
    /** A new call the overload guard admitted: the proxy goes on without asking the guard again. */
    ADMITTED,
    /** Answered 503, or an ACK of a stateless response absorbed: nothing more to do. */
    DONE,
    /**
     * A retransmission of a new call the door admitted: looked at again when the door hands it to the event loop,
     * since its call may have been answered 503 at the door meanwhile; to the proxy it is {@link #PASSED}.
     */
    AGAIN
}
