package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Route information pre-processing (RFC 3261 §16.4) and the next hop it leaves (§16.6 items 6-7): which top Route
 * values are the router's own (removed), whether the previous hop strict-routed to the router (the last Route becomes
 * the Request-URI), and where the request goes next, with the strict-router rewrite when that next hop has no
 * {@code lr}. Only reads the request; the proxy applies the plan when it forwards.
 */
final class RoutePlanner {

    private final LocalAddresses locals;

    RoutePlanner(LocalAddresses locals) {
        this.locals = locals;
    }

    /** The plan for {@code m}, whose Route values the {@link RequestValidator} has found to be SIP URIs. */
    RoutePlan plan(SipMessage m) {
        List<ValueRange> routes = m.ranges(HeaderName.ROUTE);
        SipUri ruri = SipUri.parse(m.requestUri());
        List<ValueRange> drop = new ArrayList<>(2);
        String newRuri = null;
        boolean routedToUs = false;
        String signature = null;
        SipUri lastOfOurs = null;
        ValueRange last = routes.isEmpty() ? null : routes.get(routes.size() - 1);
        if (last != null && locals.isUs(ruri) && ruri.user().isEmpty() && !locals.isUs(routeUri(m, last))) {
            // §16.4: the Request-URI is a value we put in a Record-Route (ours, no user part), so the previous hop is
            // a strict router and the real Request-URI is the last Route. A request to sip:1000@router with a
            // preloaded Route naming the router is not that case.
            signature = ruri.param(RouteSigner.PARAM);
            lastOfOurs = ruri;
            newRuri = routeUri(m, last).text();
            drop.add(last);
            ruri = SipUri.parse(newRuri);
            routedToUs = true;
        }
        int i = 0;
        String flow = null;
        while (i < routes.size() && !drop.contains(routes.get(i))) {
            SipUri route = routeUri(m, routes.get(i));
            if (!locals.isUs(route)) {
                break;
            }
            if (signature == null) {
                signature = route.param(RouteSigner.PARAM);
            }
            // Of a double Record-Route, the last of ours is the side the request goes on to: a WebSocket side there
            // names the browser's flow (FlowRoutes); the browser's own requests have it first and the node's last.
            flow = flowOf(route);
            lastOfOurs = route;
            drop.add(routes.get(i));
            routedToUs = true;
            i++;
        }
        ValueRange next = i < routes.size() && !drop.contains(routes.get(i)) ? routes.get(i) : null;
        String append = null;
        SipUri nextHop = ruri;
        if (next != null) {
            SipUri nu = routeUri(m, next);
            nextHop = nu;
            if (!nu.looseRouter() && routedToUs) {
                // §16.6 item 6: a strict router next: it gets the Request-URI; the Request-URI goes last in Route.
                // Only on the way to that hop: a request not routed through us goes to the farm as it came (its
                // Route is not ours to follow), never with its Request-URI replaced (RFC 4475 §3.1.1.11).
                append = "<" + (newRuri != null ? newRuri : m.requestUri()) + ">";
                newRuri = nu.text();
                drop.add(next);
            }
        }
        return new RoutePlan(ruri, newRuri, drop, nextHop, append, routedToUs, next != null, signature,
                next == null ? flow : null, lastOfOurs == null ? null : locals.portForNewCallsNamedBy(lastOfOurs));
    }

    /** The flow token of a Route of ours towards a WebSocket side (its user part), or null. */
    private static String flowOf(SipUri route) {
        String t = route.transportParam();
        boolean webSocket = t != null && (t.equalsIgnoreCase("ws") || t.equalsIgnoreCase("wss"));
        return webSocket && !route.user().isEmpty() ? route.user() : null;
    }

    private static SipUri routeUri(SipMessage m, ValueRange r) {
        SipUri u = NameAddr.parse(m.text(r), r.start() - m.base(), "Route").sipUri();
        if (!u.isSip()) {
            throw new SipParseException(r.start() - m.base(), "Route with a non-SIP URI");
        }
        return u;
    }
}
