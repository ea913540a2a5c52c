package io.roundhouse.sim.sip;

import io.roundhouse.sim.capture.Captures;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The SIP answers of Asterisk 22.10.1 (pjsip) behind the Roundhouse dialplan, as captured, made into answers to
 * another request: the Via, Call-ID, From, To and CSeq come from the request (RFC 3261 §8.2.6.2), the top Via gets
 * {@code rport} and {@code received} as pjsip writes them (RFC 3581), and every other line is the captured one
 * ({@code Server}, {@code Allow}, {@code Supported}, {@code Reason}, the SDP of the 200).
 */
public final class CapturedResponses {

    private static final List<SipMessage> CONFERENCE = Captures.sipTrace("sip-ari-conference.txt");
    /** 100 Trying, sent at once for every INVITE. */
    public static final SipMessage TRYING = CONFERENCE.get(1);
    /** 200 OK with SDP, sent when the application answers (no 180 before it: none was ever captured). */
    public static final SipMessage ANSWERED = CONFERENCE.get(2);
    /** 200 OK to a BYE. */
    public static final SipMessage BYE_OK = CONFERENCE.get(CONFERENCE.size() - 1);
    /** ARI hang-up {@code reason=congestion} before answer, and the dialplan's Hangup(34): 503, cause 34. */
    public static final SipMessage CONGESTION = Captures.sip("sip-bounce-congestion.response.sip");
    public static final SipMessage BUSY = Captures.sip("sip-bounce-busy.response.sip");
    public static final SipMessage DECLINE = Captures.sip("sip-bounce-normal.response.sip");
    public static final SipMessage NO_ANSWER = Captures.sip("sip-bounce-no_answer.response.sip");
    /** No X-Exec-App: the dialplan's Hangup(21), 403 cause 21. */
    public static final SipMessage FORBIDDEN = Captures.sip("sip-no-exec-app-header.response.sip");
    /** A Request-URI user that matches no extension. */
    public static final SipMessage NOT_FOUND = Captures.sip("sip-unknown-extension.response.sip");
    public static final SipMessage OPTIONS_OK = Captures.sip("sip-options-user-digits.response.sip");
    public static final SipMessage OPTIONS_NOT_FOUND = Captures.sip("sip-options-user-unknown.response.sip");

    private CapturedResponses() {
    }

    /**
     * The captured {@code template} as the answer to {@code request} received from {@code source}. {@code toTag} is
     * added to To when the template's To has a tag (every final answer; not 100 Trying).
     */
    public static SipMessage answer(SipMessage template, SipMessage request, InetSocketAddress source, String toTag) {
        List<String> vias = new ArrayList<>(request.values("Via"));
        if (!vias.isEmpty()) {
            vias.set(0, viaWithReceived(vias.get(0), source));
        }
        String to = request.value("To");
        if (!template.tag("To").isEmpty() && SipMessage.parameter(to, "tag").isEmpty()) {
            to = to + ";tag=" + toTag;
        }
        return template.with("Via", vias).with("Call-ID", request.value("Call-ID")).with("From", request.value("From"))
                .with("To", to).with("CSeq", request.value("CSeq"));
    }

    /** A response of another status built on a captured one (lines other than the status line kept). */
    public static SipMessage withStatus(SipMessage template, String statusLine) {
        return template.withStartLine(statusLine);
    }

    /**
     * pjsip writes {@code rport=<port>;received=<address>} right after the sent-by of the top Via, whether or not the
     * request asked for rport (captured: {@code sip-ari-conference.txt}); RFC 3581 §4 asks for it when it did.
     */
    static String viaWithReceived(String via, InetSocketAddress source) {
        String[] parts = via.split(";");
        StringBuilder out = new StringBuilder(parts[0].strip()).append(";rport=").append(source.getPort())
                .append(";received=").append(source.getAddress().getHostAddress());
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            String key = p.contains("=") ? p.substring(0, p.indexOf('=')) : p;
            if (!key.equalsIgnoreCase("rport") && !key.equalsIgnoreCase("received")) {
                out.append(';').append(p);
            }
        }
        return out.toString();
    }
}
