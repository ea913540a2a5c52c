package io.roundhouse.router.dispatch.call;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What the dispatcher may read of a new out-of-dialog request. Implemented by the proxy over its lazily parsed
 * message, so only what a rule asks for is parsed. Called on the event loop: implementations must not block.
 */
public interface CallContext {

    String method();

    String callId();

    /** The Request-URI as received, e.g. {@code sip:conf-1000@example.com}. */
    String requestUri();

    /** User part of the Request-URI, or "" when it has none. */
    String requestUriUser();

    /** Host part of the Request-URI. */
    String requestUriHost();

    /** User part of the From URI, or "". */
    String fromUser();

    /** User part of the To URI, or "". */
    String toUser();

    /** Every value of the named header (case-insensitive, compact forms resolved), in message order. */
    List<String> headerValues(String name);

    /** The address the request came from (after rport/received logic: the real source). */
    InetSocketAddress source();
}
