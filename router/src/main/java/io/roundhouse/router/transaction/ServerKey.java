package io.roundhouse.router.transaction;

import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.Via;
import java.util.Objects;

/**
 * Identifies a server transaction (RFC 3261 §17.2.3): the top Via branch and sent-by, and the method, where ACK maps
 * to INVITE. A request from an RFC 2543 element (no magic cookie) is keyed by the fields §17.2.3 lists for that case.
 *
 * @param branch the branch, or a composite of the RFC 2543 matching fields
 * @param sentBy the top Via sent-by
 * @param method the method, INVITE for ACK
 */
public record ServerKey(String branch, String sentBy, String method) {

    // Written out: the generated record equals/hashCode go through method-handle guards that the JIT does not always
    // inline, and the transaction table looks a key up for every message (docs/performance.md, "Dispatch cost").

    @Override
    public boolean equals(Object o) {
        return o instanceof ServerKey k && Objects.equals(k.branch, branch) && Objects.equals(k.sentBy, sentBy)
                && Objects.equals(k.method, method);
    }

    @Override
    public int hashCode() {
        return (Objects.hashCode(branch) * 31 + Objects.hashCode(sentBy)) * 31 + Objects.hashCode(method);
    }

    /** The key of the transaction {@code request} belongs to (or creates). */
    public static ServerKey of(SipMessage request) {
        return of(request, request.isMethod("ACK") ? "INVITE" : request.method());
    }

    /** The key of the INVITE transaction a CANCEL or ACK refers to. */
    public static ServerKey ofInvite(SipMessage request) {
        return of(request, "INVITE");
    }

    private static ServerKey of(SipMessage request, String method) {
        Via via = request.topVia();
        if (via.rfc3261Branch()) {
            return new ServerKey(via.branch(), via.sentBy(), method);
        }
        String fromTag = request.from().tag();
        return new ServerKey("2543:" + request.callId() + ":" + request.cseq().number() + ":" + fromTag + ":"
                + request.requestUri() + ":" + via.text(), via.sentBy(), method);
    }
}
