package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.call.CallContext;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Chooses the node for each new call, and the next one when a node fails or bounces it: the seam between the SIP
 * engine and dispatch (after Kamailio dispatcher's select / next / mark / is_from).
 *
 * <p>Called on a Netty event loop. Implementations answer from an in-memory view and may complete later when they
 * must ask Redis (affinity), but never block the calling thread. The proxy continues on its own event loop.
 */
public interface Dispatcher {

    /** The first node for a new out-of-dialog request; empty when no node can take it (the caller gets 503). */
    CompletionStage<Optional<DispatchTarget>> select(CallContext call);

    /**
     * The next node after {@code failed} answered with {@code outcome} (5xx or timeout); empty when no node is left or
     * the call must not be redispatched (the caller then gets the best response received, or 503).
     */
    CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed, AttemptOutcome outcome);

    /** The call ended on {@code target} with a final response that is not redispatched (for logs and counters). */
    default void completed(CallContext call, DispatchTarget target, int statusCode) {
    }

    /**
     * True when {@code source} is the address of one of the farm's nodes. The proxy asks it of a next hop that a
     * request names itself: only a farm node (or a signed hop of a dialog) is relayed to. A source address is not
     * trusted for X-Exec-App (docs/security.md).
     */
    boolean isFromNode(InetSocketAddress source);

    /**
     * The service a call is for, for metrics and for the answer to a call no service takes: empty when the dispatcher
     * has services and none matches (the caller then gets {@code sip.no-service-status}, default 404), "-" for a
     * dispatcher without services. Called at most twice per call, off the hot path of a call that found its node.
     */
    default java.util.Optional<String> service(CallContext call) {
        return java.util.Optional.of("-");
    }

    /**
     * Registers a listener told each time a node goes down while another node still looks up (when every node looks
     * down at once, the likelier cause is the router's own overload: failing calls over would only turn calls that may
     * still be answered into 503s). A dispatcher without health never calls it.
     */
    default void onNodeDown(NodeDownListener listener) {
    }
}
