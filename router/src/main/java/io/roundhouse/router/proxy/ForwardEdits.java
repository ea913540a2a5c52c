package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.ValueRange;
import java.util.List;
import java.util.Map;

/**
 * What the proxy changes in a request it forwards (§16.6); everything else is copied byte for byte.
 *
 * @param requestUri     the new Request-URI, or null to keep it (strict-route handling, §16.4 / §16.6 item 6)
 * @param via            the Via value to add on top
 * @param recordRoutes   Record-Route values to add on top, in order
 * @param topVia         the received top Via value with received/rport, replacing the first Via value
 * @param dropRoutes     Route values to remove
 * @param appendRoute    a Route value to add after the others (§16.6 item 6), or null
 * @param addHeaders     headers to add (name to value): the dispatcher's X-Exec-App* for a request it dispatched;
 *                       every X-Exec-App* header the request arrived with is removed, whoever sent it
 */
public record ForwardEdits(String requestUri, String via, List<String> recordRoutes, String topVia,
                           List<ValueRange> dropRoutes, String appendRoute, Map<String, String> addHeaders) {
}
