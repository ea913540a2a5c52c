package io.roundhouse.router.proxy;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import java.net.InetSocketAddress;
import java.util.List;

/** What the dispatcher sees of a new request: read lazily from the proxy's copy of it. */
final class RequestContext implements CallContext {

    private final SipMessage request;
    private final InetSocketAddress source;
    private SipUri requestUri;

    RequestContext(SipMessage request, InetSocketAddress source) {
        this.request = request;
        this.source = source;
    }

    @Override
    public String method() {
        return request.method();
    }

    @Override
    public String callId() {
        return request.callId();
    }

    @Override
    public String requestUri() {
        return request.requestUri();
    }

    @Override
    public String requestUriUser() {
        return ruri().user();
    }

    @Override
    public String requestUriHost() {
        SipUri u = ruri();
        return u.host() == null ? "" : u.hostAddress();
    }

    @Override
    public String fromUser() {
        return user(request::from);
    }

    @Override
    public String toUser() {
        return user(request::to);
    }

    @Override
    public List<String> headerValues(String name) {
        return request.values(name);
    }

    @Override
    public InetSocketAddress source() {
        return source;
    }

    private SipUri ruri() {
        if (requestUri == null) {
            requestUri = SipUri.parse(request.requestUri());
        }
        return requestUri;
    }

    private static String user(java.util.function.Supplier<NameAddr> header) {
        try {
            return header.get().sipUri().user();
        } catch (SipParseException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return request.method() + " " + request.requestUri() + " Call-ID " + request.callId();
    }
}
