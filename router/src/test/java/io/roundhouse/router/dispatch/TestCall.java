package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.call.CallContext;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/** A new call as the proxy would describe it, written by tests. */
public record TestCall(String method, String callId, String requestUriUser, String requestUriHost, String fromUser,
                       String toUser, Map<String, List<String>> headers, InetSocketAddress source) implements CallContext {

    public static TestCall invite(String callId, String ruriUser, String ruriHost) {
        return new TestCall("INVITE", callId, ruriUser, ruriHost, "alice", ruriUser, Map.of(),
                new InetSocketAddress("127.0.0.1", 5999));
    }

    public TestCall withHeader(String name, String... values) {
        Map<String, List<String>> h = new java.util.HashMap<>(headers);
        h.put(name.toLowerCase(java.util.Locale.ROOT), List.of(values));
        return new TestCall(method, callId, requestUriUser, requestUriHost, fromUser, toUser, h, source);
    }

    public TestCall withFromUser(String user) {
        return new TestCall(method, callId, requestUriUser, requestUriHost, user, toUser, headers, source);
    }

    @Override
    public String requestUri() {
        return "sip:" + (requestUriUser.isEmpty() ? "" : requestUriUser + "@") + requestUriHost;
    }

    @Override
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
    }
}
