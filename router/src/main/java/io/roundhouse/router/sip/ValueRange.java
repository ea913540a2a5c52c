package io.roundhouse.router.sip;

/**
 * One value of a header: for list headers one comma-separated element, otherwise the whole value.
 *
 * @param header index of the header line in {@link SipMessage}
 * @param start  absolute offset of the first byte of the value
 * @param end    absolute offset after the last byte of the value
 */
public record ValueRange(int header, int start, int end) {

    // Written out: the generated record equals/hashCode go through method-handle guards that the JIT does not always
    // inline, and these run for every message (profiled under load: docs/performance.md, "Dispatch cost").

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueRange r && r.header == header && r.start == start && r.end == end;
    }

    @Override
    public int hashCode() {
        return (header * 31 + start) * 31 + end;
    }
}
