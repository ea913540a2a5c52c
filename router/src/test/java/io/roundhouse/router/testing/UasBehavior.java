package io.roundhouse.router.testing;

import java.util.List;

/**
 * How a {@link SipTestAgent} acting as a UAS answers INVITEs: the responses in order, with the To tag added after 100.
 * BYE, OPTIONS and other requests get 200; CANCEL gets 200 and the pending INVITE 487; ACK is absorbed.
 *
 * @param statuses INVITE responses to send at once, e.g. [100, 180, 200]; empty = silent
 * @param respondToOthers whether non-INVITE requests get 200 (false = silent to everything)
 */
public record UasBehavior(List<Integer> statuses, boolean respondToOthers) {

    /** 100, 180, 200 OK. */
    public static UasBehavior answer() {
        return new UasBehavior(List.of(100, 180, 200), true);
    }

    /** 100, 180 and then nothing: a phone that rings forever (for CANCEL). */
    public static UasBehavior ringForever() {
        return new UasBehavior(List.of(100, 180), true);
    }

    /** A final response at once, e.g. 503 or 486. */
    public static UasBehavior reject(int status) {
        return new UasBehavior(List.of(status), true);
    }

    /** Sends nothing at all, to anything. */
    public static UasBehavior silent() {
        return new UasBehavior(List.of(), false);
    }
}
