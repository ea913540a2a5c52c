package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.MessageSender;

/**
 * Flow by connection for WebSocket peers (RFC 7118 §5, after RFC 5626's flow tokens): a browser has no address the
 * router can reach, only the connection it opened. When its dialog-creating request is record-routed, the router's
 * Record-Route towards the browser carries that connection's flow token as its user part
 * ({@code <sip:TOKEN@router;transport=ws;lr;rh=...>}), and the token, not the browser's {@code .invalid} Contact, is
 * the hop the dialog's signature names towards the caller. An in-dialog request from the other side comes back through
 * that Route and goes over the connection the token names: 430 Flow Failed when it has closed (RFC 5626 §5.3), 403
 * when the token is not one the router signed for the dialog. A request whose next hop is a {@code .invalid} host
 * without a flow of the router (a name that no DNS resolves, RFC 6761 §6.4) gets 410 Gone: nothing can reach it.
 */
final class FlowRoutes {

    /** The hop a flow is signed as: never a host:port, so a flow and an address cannot stand for each other. */
    static final String HOP_PREFIX = "flow:";

    private final MessageSender sender;
    private final RouteSigner signer;

    FlowRoutes(MessageSender sender, RouteSigner signer) {
        this.sender = sender;
        this.signer = signer;
    }

    /** Where an in-dialog request towards a WebSocket peer goes, or why it cannot. */
    sealed interface Hop permits Over, Refused {
    }

    /** Over the peer's open connection. */
    record Over(Destination destination) implements Hop {
    }

    /** Answered by the router: {@code status} with {@code reason} and a Warning saying {@code why}. */
    record Refused(int status, String reason, String why) implements Hop {
    }

    /** The flow token to record-route for a request that came in on {@code in}, or null when it is no WebSocket one. */
    String tokenOf(Inbound in) {
        return in.transport().webSocket() ? sender.flowToken(in.connection()) : null;
    }

    static String hop(String token) {
        return HOP_PREFIX + token;
    }

    /**
     * The hop of {@code request}, routed through the router as {@code plan} says, when it is bound for a WebSocket peer;
     * null when it is not (its next hop is resolved as any other).
     */
    Hop route(SipMessage request, RoutePlan plan) {
        String token = plan.flow();
        if (token == null) {
            String host = plan.nextHop().hostAddress();
            return isInvalid(host)
                    ? new Refused(410, "Gone", "next hop " + host + " is a WebSocket client's name and the request came"
                            + " through no flow of the router")
                    : null;
        }
        if (request.toTagOrNull() == null || !signer.allows(plan.signature(), request.callId(), hop(token))) {
            return new Refused(403, "Forbidden", "not relayed: the flow is not one the router record-routed for this"
                    + " dialog");
        }
        Destination d = sender.flow(token);
        return d == null
                ? new Refused(430, "Flow Failed", "the WebSocket connection of this dialog's browser has closed")
                : new Over(d);
    }

    /**
     * True for {@code invalid} and every name under it, in any case (RFC 6761 §6.4); asked of every routed in-dialog
     * request, so without a lower-cased copy of the host.
     */
    static boolean isInvalid(String host) {
        return host.regionMatches(true, host.length() - ".invalid".length(), ".invalid", 0, ".invalid".length())
                || host.equalsIgnoreCase("invalid");
    }
}
