package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.transport.ListenPoint;
import java.util.List;

/**
 * The outcome of Route pre-processing (§16.4) and next-hop selection (§16.5, §16.6 items 6-7).
 *
 * @param requestUri    the effective Request-URI
 * @param newRequestUri the Request-URI to write when it changed (strict routing), or null
 * @param drop          Route values to remove (ours, or the strict-route ones moved into the Request-URI)
 * @param nextHop       the URI to send to: the first remaining Route, or the Request-URI; null when none remains and
 *                      the request is for the dispatcher
 * @param appendRoute   a Route value to append (§16.6 item 6), or null
 * @param routedToUs    true when the request named the router in a Route or in a strict-routed Request-URI
 * @param hasRoute      true when a Route other than ours remains
 * @param signature     the {@link RouteSigner#PARAM} value of the router's own Route (or strict-routed Request-URI)
 *                      the request came through, or null when it carried none
 * @param flow          the flow token ({@link FlowRoutes}) of the router's own Route nearest the next hop, when that
 *                      Route names a WebSocket side: the request goes over that flow; else null
 * @param leaveFrom     the port for new calls that the router's own Route nearest the next hop names, where callers
 *                      keep their port ({@link LocalAddresses#portForNewCallsNamedBy}): a request over UDP leaves from
 *                      it; else null
 */
record RoutePlan(SipUri requestUri, String newRequestUri, List<ValueRange> drop, SipUri nextHop,
                 String appendRoute, boolean routedToUs, boolean hasRoute, String signature, String flow,
                 ListenPoint leaveFrom) {
}
