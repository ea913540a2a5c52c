package io.roundhouse.router.dispatch;

import java.util.Map;

/**
 * One node to try for a call.
 *
 * @param nodeId     the node's id
 * @param sipUri     where to send the request (e.g. {@code sip:127.0.0.1:5081}); the Request-URI is kept, this is the
 *                   next hop
 * @param addHeaders headers the proxy adds to the forwarded request, in order (X-Exec-App, X-Exec-App-Data)
 */
public record DispatchTarget(String nodeId, String sipUri, Map<String, String> addHeaders) {

    public DispatchTarget {
        addHeaders = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(addHeaders));
    }
}
