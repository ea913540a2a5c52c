package io.roundhouse.agent.ari;

/**
 * Hang-up reasons of {@code DELETE /channels/{id}?reason=}, with what Asterisk 22.10.1's PJSIP answers an unanswered
 * INVITE with (fixtures {@code sip-bounce-*}).
 */
public enum HangupReason {
    /** 503 Service Unavailable, {@code Reason: Q.850;cause=34}: "full here, try another node". */
    CONGESTION("congestion"),
    /** 603 Decline before answer, {@code Q.850;cause=16}; a normal BYE after answer. */
    NORMAL("normal"),
    /** 486 Busy Here, {@code Q.850;cause=17}. */
    BUSY("busy");

    private final String ariName;

    HangupReason(String ariName) {
        this.ariName = ariName;
    }

    /** The value of the {@code reason} query parameter. */
    public String ariName() {
        return ariName;
    }
}
