package io.roundhouse.router.sip;

/**
 * A message, or a part of it, that does not follow the RFC 3261 §25 grammar. Carries the byte offset of the defect
 * (from the start of the message) and a reason fit for a Warning header; bad input is data, so no stack trace is
 * filled in.
 */
public final class SipParseException extends RuntimeException {

    private final int offset;
    private final String reason;

    public SipParseException(int offset, String reason) {
        super(reason + " at offset " + offset, null, false, false);
        this.offset = offset;
        this.reason = reason;
    }

    /** Offset of the defect from the first byte of the message, or -1 when the defect has no single position. */
    public int offset() {
        return offset;
    }

    /** What is wrong, e.g. {@code Max-Forwards is not a number}. */
    public String reason() {
        return reason;
    }
}
