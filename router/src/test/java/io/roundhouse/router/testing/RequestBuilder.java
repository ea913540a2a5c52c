package io.roundhouse.router.testing;

import io.roundhouse.router.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Builds a request as a UAC sends it (§8.1.1), with sensible defaults that each test can override. */
public final class RequestBuilder {

    private final SipTestAgent agent;
    private final String method;
    private final String requestUri;
    private Transport transport = Transport.UDP;
    private String callId = random() + "@test";
    private long cseq = 1;
    private String cseqMethod;
    private String branch = "z9hG4bK" + random();
    private String fromTag = random();
    private String to;
    private String maxForwards = "70";
    private String body = "";
    private final List<String> headers = new ArrayList<>();
    private final List<String> routes = new ArrayList<>();

    RequestBuilder(SipTestAgent agent, String method, String requestUri) {
        this.agent = agent;
        this.method = method;
        this.requestUri = requestUri;
        this.cseqMethod = method;
        this.to = "<" + requestUri + ">";
    }

    private static String random() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L);
    }

    public RequestBuilder transport(Transport t) {
        this.transport = t;
        return this;
    }

    public RequestBuilder callId(String id) {
        this.callId = id;
        return this;
    }

    public RequestBuilder cseq(long n) {
        this.cseq = n;
        return this;
    }

    public RequestBuilder cseqMethod(String m) {
        this.cseqMethod = m;
        return this;
    }

    public RequestBuilder branch(String b) {
        this.branch = b;
        return this;
    }

    public RequestBuilder fromTag(String tag) {
        this.fromTag = tag;
        return this;
    }

    /** The To header value (e.g. with a tag for an in-dialog request). */
    public RequestBuilder to(String value) {
        this.to = value;
        return this;
    }

    /** The Max-Forwards value, or null for none. */
    public RequestBuilder maxForwards(String value) {
        this.maxForwards = value;
        return this;
    }

    public RequestBuilder route(String value) {
        routes.add(value);
        return this;
    }

    /** An extra header line, e.g. {@code X-Exec-App: Evil}. */
    public RequestBuilder header(String line) {
        headers.add(line);
        return this;
    }

    public RequestBuilder body(String b) {
        this.body = b;
        return this;
    }

    public String branch() {
        return branch;
    }

    public String callId() {
        return callId;
    }

    /** The From tag (e.g. for this INVITE's CANCEL, which must carry it, §9.1). */
    public String fromTag() {
        return fromTag;
    }

    /**
     * The CANCEL of this request as its UAC builds it (§9.1): the same Request-URI, Call-ID, To, From tag, CSeq number,
     * top Via (transport and branch) and Route values; the defaults otherwise (Max-Forwards 70, no extra header, no
     * body).
     */
    public RequestBuilder cancel() {
        RequestBuilder cancel = new RequestBuilder(agent, "CANCEL", requestUri).transport(transport).callId(callId)
                .cseq(cseq).branch(branch).fromTag(fromTag).to(to);
        cancel.routes.addAll(routes);
        return cancel;
    }

    public String build() {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(requestUri).append(" SIP/2.0\r\n");
        sb.append("Via: SIP/2.0/").append(transport.name()).append(' ').append(agent.hostPort())
                .append(";branch=").append(branch).append(";rport\r\n");
        for (String r : routes) {
            sb.append("Route: ").append(r).append("\r\n");
        }
        if (maxForwards != null) {
            sb.append("Max-Forwards: ").append(maxForwards).append("\r\n");
        }
        sb.append("From: <sip:alice@").append(agent.hostPort()).append(">;tag=").append(fromTag).append("\r\n");
        sb.append("To: ").append(to).append("\r\n");
        sb.append("Call-ID: ").append(callId).append("\r\n");
        sb.append("CSeq: ").append(cseq).append(' ').append(cseqMethod).append("\r\n");
        sb.append("Contact: <").append(agent.uri(transport)).append(">\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        if (!body.isEmpty()) {
            sb.append("Content-Type: application/sdp\r\n");
        }
        sb.append("Content-Length: ").append(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .append("\r\n\r\n").append(body);
        return sb.toString();
    }
}
