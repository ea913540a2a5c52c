package io.roundhouse.router.proxy;

import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.ValueRange;
import java.util.List;

/**
 * The checks a request must pass before the proxy acts on it (RFC 3261 §16.3 items 1, 2 and 5; RFC 4475), as a
 * {@link Verdict}: bad input is data, answered or dropped with its reason, never thrown. Stateless; for a valid request
 * it parses little beyond what the proxy reads anyway (Via, From, To, CSeq, Request-URI, Route, and each Contact).
 *
 * <p>Max-Forwards (item 3) and loops (item 4) are the core's: they need a transaction and the router's own Vias.
 */
final class RequestValidator {

    /** What to do with a request. */
    sealed interface Verdict permits Valid, Reject, Drop {
    }

    /** Act on it. */
    record Valid() implements Verdict {
    }

    /**
     * Answer {@code status} at once, without a transaction (the request may not even be matchable).
     *
     * @param status  400, 416, 420 or 505
     * @param phrase  the reason phrase
     * @param detail  what is wrong, for the Warning header and the log
     * @param headers extra header lines (e.g. {@code Unsupported} with a 420)
     */
    record Reject(int status, String phrase, String detail, List<String> headers) implements Verdict {
    }

    /** Drop it and count it: there is no one to answer, or an ACK, which is never answered (§17.1.1.3). */
    record Drop(String reason) implements Verdict {
    }

    static final Valid VALID = new Valid();

    /**
     * {@code Proxy-Require} option tags this proxy supports (§16.3 item 5): none, so every one gets 420. A tag for the
     * UAS belongs in {@code Require}, which a proxy does not read.
     */
    private static final List<String> SUPPORTED = List.of();

    Verdict validate(SipMessage m) {
        if (m.vias().isEmpty()) {
            return new Drop("missing Via: no address to answer (§18.2.2)");
        }
        Verdict v = check(m);
        if (v instanceof Reject r && m.isMethod("ACK")) {
            return new Drop(r.detail());
        }
        return v;
    }

    private static Verdict check(SipMessage m) {
        if (m.badVersion()) {
            // Before the Via: a Via of the same unknown version (RFC 4475 §3.1.2.16) must not turn 505 into 400.
            return new Reject(505, "Version Not Supported", m.defect().reason(), List.of());
        }
        if (m.defect() != null) {
            return badRequest(m.defect().reason());
        }
        SipUri requestUri;
        try {
            m.topVia();
            HeaderName twice = m.repeatedSingleInstance();
            if (twice != null) {
                return badRequest(twice.canonical() + " appears more than once");
            }
            m.callId();
            m.from();
            m.to();
            if (!m.cseq().method().equals(m.method())) {
                return badRequest("CSeq method " + m.cseq().method() + " does not match " + m.method());
            }
            m.maxForwards();
            requestUri = SipUri.parse(m.requestUri());
            if (!requestUri.headers().isEmpty()) {
                // §19.1.5: headers are for building a request from a URI, never part of a Request-URI.
                return badRequest("Request-URI with headers (?" + requestUri.headers() + ")");
            }
            checkContacts(m);
            checkRoutes(m);
        } catch (SipParseException e) {
            return badRequest(e.reason());
        }
        if (!requestUri.isSip() && !requestUri.scheme().equals("tel")) {
            return new Reject(416, "Unsupported URI Scheme", "Request-URI scheme " + requestUri.scheme()
                    + " (expected: sip, sips or tel)", List.of());
        }
        if (m.first(HeaderName.PROXY_REQUIRE) >= 0) {
            List<String> unsupported = m.values("Proxy-Require").stream().filter(t -> !SUPPORTED.contains(t))
                    .toList();
            if (!unsupported.isEmpty()) {
                return new Reject(420, "Bad Extension", "unsupported Proxy-Require option tag",
                        List.of("Unsupported: " + String.join(", ", unsupported)));
            }
        }
        return VALID;
    }

    /** Each Contact but {@code *} is a name-addr or a plain addr-spec (§20.10, RFC 4475 §3.1.2.13). */
    private static void checkContacts(SipMessage m) {
        if (m.first(HeaderName.CONTACT) < 0) {
            return;
        }
        for (ValueRange r : m.ranges(HeaderName.CONTACT)) {
            String value = m.text(r);
            if (!value.equals("*")) {
                NameAddr.parse(value, r.start() - m.base(), "Contact");
            }
        }
    }

    /** Each Route is a name-addr with a SIP URI (§20.34): the {@link RoutePlanner} reads them without checking. */
    private static void checkRoutes(SipMessage m) {
        if (m.first(HeaderName.ROUTE) < 0) {
            return;
        }
        for (ValueRange r : m.ranges(HeaderName.ROUTE)) {
            if (!NameAddr.parse(m.text(r), r.start() - m.base(), "Route").sipUri().isSip()) {
                throw new SipParseException(r.start() - m.base(), "Route with a non-SIP URI");
            }
        }
    }

    private static Reject badRequest(String detail) {
        return new Reject(400, "Bad Request", detail, List.of());
    }
}
