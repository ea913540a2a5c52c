package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.Fnv1a;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.Via;
import java.nio.charset.StandardCharsets;

/**
 * Branch parameters of the Vias the router adds (§16.6 item 8): the magic cookie, a fixed marker, a hash of the fields
 * that identify the request as received, and the attempt number. The hash is derived, not random, so that a CANCEL or
 * a non-2xx ACK (which carry the INVITE's top Via, Request-URI, Call-ID, From tag and CSeq number) map to the same
 * value as a stateless proxy would need, and so that a request that comes back unchanged is recognised as a loop
 * (§16.3 item 4) while a spiral (changed Request-URI) is not.
 */
public final class Branches {

    /** Every branch of this router starts with this. */
    public static final String PREFIX = Via.MAGIC_COOKIE + "Rh";

    private Branches() {
    }

    /** Branch for attempt {@code attempt} (0 first) of forwarding {@code request}, whose top Via is {@code top}. */
    public static String branch(SipMessage request, Via top, int attempt) {
        return PREFIX + loopHash(request, top) + "." + attempt;
    }

    /**
     * The loop-detection hash over the request as received (§16.6 item 8): the top Via's branch and sent-by, the
     * Request-URI, Call-ID, From tag and CSeq number. The To tag and method are left out so that ACK and CANCEL match.
     */
    public static String loopHash(SipMessage request, Via top) {
        String fromTag = request.from().tag();
        String key = top.branch() + '|' + top.sentBy() + '|' + request.requestUri() + '|' + request.callId() + '|'
                + fromTag + '|' + request.cseq().number();
        return Long.toHexString(Fnv1a.of(Fnv1a.OFFSET, key.getBytes(StandardCharsets.UTF_8)));
    }

    /** The hash part of one of our branches, or null when the branch is not ours. */
    public static String hashOf(String branch) {
        if (branch == null || !branch.startsWith(PREFIX)) {
            return null;
        }
        int dot = branch.lastIndexOf('.');
        return dot < PREFIX.length() ? null : branch.substring(PREFIX.length(), dot);
    }
}
