package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.sip.ValueRange;
import java.nio.charset.StandardCharsets;

/** Requests a transaction builds from the request it sent: ACK for a non-2xx (§17.1.1.3) and CANCEL (§9.1). */
public final class HopByHop {

    private HopByHop() {
    }

    /**
     * §17.1.1.3: same Request-URI, Call-ID, From, CSeq number and Route as the request, the top Via only, and the To
     * of the response (with its tag).
     */
    public static ByteBuf ackFor(ByteBuf sentRequest, SipMessage response) {
        SipMessage request = SipParser.parse(sentRequest.duplicate(), true);
        int to = response.first(HeaderName.TO);
        String toValue = to < 0 ? request.headerValue(request.first(HeaderName.TO)) : response.headerValue(to);
        return build("ACK", request, toValue);
    }

    /** §9.1: same Request-URI, Call-ID, To, From, CSeq number and Route as the request, and its top Via. */
    public static ByteBuf cancelFor(ByteBuf sentRequest) {
        SipMessage request = SipParser.parse(sentRequest.duplicate(), true);
        return build("CANCEL", request, request.headerValue(request.first(HeaderName.TO)));
    }

    private static ByteBuf build(String method, SipMessage request, String toValue) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(method).append(' ').append(request.requestUri()).append(" SIP/2.0\r\n");
        ValueRange via = request.vias().get(0);
        sb.append("Via: ").append(request.text(via)).append("\r\n");
        for (ValueRange route : request.ranges(HeaderName.ROUTE)) {
            sb.append("Route: ").append(request.text(route)).append("\r\n");
        }
        sb.append("Max-Forwards: 70\r\n");
        sb.append("From: ").append(request.headerValue(request.first(HeaderName.FROM))).append("\r\n");
        sb.append("To: ").append(toValue).append("\r\n");
        sb.append("Call-ID: ").append(request.callId()).append("\r\n");
        sb.append("CSeq: ").append(request.cseq().number()).append(' ').append(method).append("\r\n");
        sb.append("Content-Length: 0\r\n\r\n");
        return Unpooled.wrappedBuffer(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
