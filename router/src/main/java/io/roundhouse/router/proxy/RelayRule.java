package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.SipMessage;
import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * Where a request that names its own next hop (a Route after the router's, or a Request-URI reached through the
 * router's Route) may go: to a farm node, or, inside a dialog, to a hop that the router signed into its own
 * Record-Route for that dialog ({@link RouteSigner}). Anything else would make the router an open relay and a
 * reflector for whoever sends it a Route (docs/security.md, "Routing (no open relay)").
 */
final class RelayRule {

    private final RouteSigner signer;
    private final Predicate<InetSocketAddress> isNode;

    RelayRule(RouteSigner signer, Predicate<InetSocketAddress> isNode) {
        this.signer = signer;
        this.isNode = isNode;
    }

    /** True when {@code request}, routed by {@code plan}, may be sent to {@code destination} (its resolved next hop). */
    boolean allows(SipMessage request, RoutePlan plan, InetSocketAddress destination) {
        if (isNode.test(destination)) {
            return true;
        }
        if (request.toTagOrNull() == null || plan.signature() == null) {
            return false; // only a dialog has hops the router signed
        }
        String callId = request.callId();
        String asWritten = RouteSigner.hopOf(plan.nextHop());
        if (signer.allows(plan.signature(), callId, asWritten)) {
            return true;
        }
        String resolved = RouteSigner.hopOf(destination);
        return !resolved.equals(asWritten) && signer.allows(plan.signature(), callId, resolved);
    }

    RouteSigner signer() {
        return signer;
    }
}
