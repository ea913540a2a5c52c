package io.roundhouse.router.sip;

/**
 * One value of a header: for list headers one comma-separated element, otherwise the whole value.
 *
 * @param header index of the header line in {@link SipMessage}
 * @param start  absolute offset of the first byte of the value
 * @param end    absolute offset after the last byte of the value
 */
public record ValueRange(int header, int start, int end) {
}
