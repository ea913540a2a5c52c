package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.SipMessage;

/**
 * The response context of one proxied request (RFC 3261 §16.7): which responses of its branches go upstream, and the
 * best final response kept while the next node is tried. The router forks serially, one branch at a time, so the
 * choice is simpler than §16.7 item 6 in general: only 5xx are ever kept (anything else ends the search), the first
 * one received wins within its class, and a node's 503 is never relayed (the caller gets the router's own 503 with the
 * router's Retry-After: the node's speaks for that node only, docs/decisions.md).
 *
 * <p>The rules are static; an instance holds the kept response and exists only once a call has a 5xx to keep, so the
 * common call allocates nothing for it.
 */
final class ResponseContext {

    /** What a final response of the branch being tried does to the call. */
    enum Final {
        /** A 5xx from a node the dispatcher chose: kept as a candidate, and the next node is tried. */
        TRY_NEXT,
        /** A 503 that is not relayed: the caller gets the router's own 503 with Retry-After. */
        ROUTERS_503,
        /** A 2xx after the caller has its final response: a leg nobody wants, which the router ends. */
        END_UNWANTED,
        /**
         * Forwarded upstream: a 2xx (§16.7 item 5), or the final answer of the call. A 6xx is the callee's answer for
         * every location (§16.7 item 5: no new branch after one), so it is forwarded, never failed over.
         */
        FORWARD
    }

    private ByteBuf best;
    private int bestStatus;

    /**
     * §16.7 item 3: a response with no Via left once the router's is removed was meant for the router itself and is
     * not forwarded (the branch counts as unanswered).
     */
    static boolean meantForTheRouter(SipMessage response) {
        return response.vias().size() < 2;
    }

    /** §16.7 item 5: every provisional response but 100 (hop by hop, §16.2) goes upstream at once. */
    static boolean forwardsProvisional(int status) {
        return status > 100 && status < 200;
    }

    /**
     * What a final {@code status} from the branch being tried does, for a call that {@code mayFailOver} (dispatched,
     * not cancelled) and whose caller is {@code answered} already.
     */
    static Final onFinal(int status, boolean mayFailOver, boolean answered) {
        if (status >= 500 && status < 600 && mayFailOver && !answered) {
            return Final.TRY_NEXT;
        }
        if (status == 503 && !answered) {
            return Final.ROUTERS_503;
        }
        if (status < 300 && answered) {
            return Final.END_UNWANTED;
        }
        return Final.FORWARD;
    }

    /** Keeps {@code response} (written for forwarding) when it beats the one kept: §16.7 item 6, lowest class first. */
    void consider(int status, SipMessage response, MessageWriter writer) {
        if (best == null || status < bestStatus) {
            if (best != null) {
                best.release();
            }
            best = writer.forwardResponse(response);
            bestStatus = status;
        }
    }

    /**
     * No node is left: the response to relay, handed over (the caller sends it), or null when the router answers
     * itself (nothing kept, or a 503 that is not relayed).
     */
    ByteBuf takeBest() {
        ByteBuf b = best;
        best = null;
        if (b != null && bestStatus == 503) {
            b.release();
            return null;
        }
        return b;
    }

    /** The status of the response {@link #takeBest} handed over. */
    int bestStatus() {
        return bestStatus;
    }

    /** The call ended: a kept response that was never sent is freed. */
    void release() {
        if (best != null) {
            best.release();
            best = null;
        }
    }
}
