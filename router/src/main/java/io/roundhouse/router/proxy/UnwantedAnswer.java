package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ACK and BYE with which the router ends a leg that answered 2xx when nobody wanted it any more: a branch given up
 * by failover (or by CANCEL, or because its node went down) whose node answered after the caller already had its final
 * response. Forwarding that 2xx (RFC 3261 §16.7 item 5) would hand the caller a second dialog it never asked for, which
 * callers rarely acknowledge: a ghost leg (on Asterisk, a conference participant nobody hears). The router instead does
 * what §13.2.2.4 asks of a UAC with an unwanted 2xx: ACK it, then BYE it (docs/decisions.md).
 *
 * <p>Both requests are built from the 2xx alone (From, To with the node's tag, Call-ID, CSeq), go to its Contact
 * through the Record-Route values below the router's own (§12.1.2: the route set as the caller would have it, from the
 * router on), and carry only the router's Via.
 */
final class UnwantedAnswer {

    private final SipMessage ok;
    private final SipUri target;
    private final List<String> routes;

    private UnwantedAnswer(SipMessage ok, SipUri target, List<String> routes) {
        this.ok = ok;
        this.target = target;
        this.routes = routes;
    }

    /** The way to end the dialog of {@code ok}, or null when it names no Contact to send to. */
    static UnwantedAnswer of(SipMessage ok, LocalAddresses locals) {
        try {
            List<ValueRange> contact = ok.ranges(HeaderName.CONTACT);
            if (contact.isEmpty()) {
                return null;
            }
            SipUri remoteTarget = NameAddr.parse(ok.text(contact.get(0)), 0, "Contact").sipUri();
            // Record-Route lists the hops from the node up; the caller's route set is the reverse. From the router on,
            // it holds only the values the node side added before the router's own.
            List<String> downstream = new ArrayList<>();
            for (ValueRange rr : ok.ranges(HeaderName.RECORD_ROUTE)) {
                String value = ok.text(rr);
                if (locals.isUs(NameAddr.parse(value, 0, "Record-Route").sipUri())) {
                    break;
                }
                downstream.add(value);
            }
            Collections.reverse(downstream);
            SipUri nextHop = downstream.isEmpty() ? remoteTarget
                    : NameAddr.parse(downstream.get(0), 0, "Record-Route").sipUri();
            if (!remoteTarget.isSip() || !nextHop.isSip()) {
                return null;
            }
            return new UnwantedAnswer(ok, remoteTarget, List.copyOf(downstream));
        } catch (SipParseException e) {
            return null;
        }
    }

    /** Where the ACK and BYE go: the first Route, else the 2xx's Contact. */
    SipUri nextHop() {
        return routes.isEmpty() ? target : NameAddr.parse(routes.get(0), 0, "Route").sipUri();
    }

    /** The ACK of the 2xx (same CSeq number), or with {@code bye} the BYE that follows it (CSeq number + 1). */
    ByteBuf request(boolean bye, String via) {
        long cseq = ok.cseq().number() + (bye ? 1 : 0);
        String method = bye ? "BYE" : "ACK";
        StringBuilder sb = new StringBuilder(512);
        sb.append(method).append(' ').append(target.text()).append(" SIP/2.0\r\n");
        sb.append("Via: ").append(via).append("\r\n");
        for (String route : routes) {
            sb.append("Route: ").append(route).append("\r\n");
        }
        sb.append("Max-Forwards: 70\r\n");
        sb.append("From: ").append(ok.headerValue(ok.first(HeaderName.FROM))).append("\r\n");
        sb.append("To: ").append(ok.headerValue(ok.first(HeaderName.TO))).append("\r\n");
        sb.append("Call-ID: ").append(ok.callId()).append("\r\n");
        sb.append("CSeq: ").append(cseq).append(' ').append(method).append("\r\n");
        if (bye) {
            sb.append("Reason: SIP;cause=200;text=\"Call completed elsewhere\"\r\n"); // RFC 3326
        }
        sb.append("Content-Length: 0\r\n\r\n");
        return Unpooled.wrappedBuffer(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A fresh branch for one of the router's own requests. */
    static String branch(String kind) {
        return Branches.PREFIX + LocalResponses.newTag() + "." + kind;
    }
}
