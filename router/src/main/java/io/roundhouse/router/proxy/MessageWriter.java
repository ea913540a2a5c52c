package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.sip.ValueRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the messages the proxy sends: forwarded requests and responses, which keep every byte of the original except
 * the headers a proxy must edit (§16.6, §16.7), and responses the router generates itself (§8.2.6).
 */
public final class MessageWriter {

    /** Stops at a control character other than HTAB (§25.1): CR, LF, NUL... and DEL. */
    private static final ByteProcessor NO_CONTROL = b -> (b >= 0x20 || b < 0 || b == '\t') && b != 0x7f;
    private static final byte[] CRLF = {'\r', '\n'};

    private final ByteBufAllocator alloc;
    private final String serverName;

    public MessageWriter(ByteBufAllocator alloc, String serverName) {
        this.alloc = alloc;
        this.serverName = serverName;
    }

    /** The request to forward, per §16.6 items 2-8. */
    public ByteBuf forwardRequest(SipMessage m, ForwardEdits e) {
        ByteBuf src = m.buffer();
        ByteBuf out = alloc.directBuffer(m.length() + 512);
        if (e.requestUri() != null) {
            ascii(out, m.method()).writeByte(' ');
            ascii(out, e.requestUri());
            ascii(out, " SIP/2.0\r\n");
        } else {
            out.writeBytes(src, m.base(), m.startLineEnd() - m.base());
        }
        ascii(out, "Via: ").writeBytes(utf8(e.via())).writeBytes(CRLF);
        for (String rr : e.recordRoutes()) {
            ascii(out, "Record-Route: ").writeBytes(utf8(rr)).writeBytes(CRLF);
        }
        List<ValueRange> vias = m.vias();
        int topViaHeader = vias.isEmpty() ? -1 : vias.get(0).header();
        boolean seenMaxForwards = false;
        boolean seenContentLength = false;
        // Unchanged lines are copied in runs: each header the proxy edits or drops ends one (upTo) and starts the next.
        int kept = m.startLineEnd();
        for (int i = 0; i < m.headerCount(); i++) {
            HeaderName name = m.headerName(i);
            switch (name) {
                case VIA -> {
                    if (i == topViaHeader && e.topVia() != null) {
                        kept = upTo(out, m, kept, i);
                        ValueRange first = vias.get(0);
                        out.writeBytes(src, m.lineStart(i), first.start() - m.lineStart(i));
                        out.writeBytes(utf8(e.topVia()));
                        out.writeBytes(src, first.end(), m.lineEnd(i) - first.end());
                    }
                }
                case ROUTE -> {
                    if (dropsFrom(e.dropRoutes(), i)) {
                        kept = upTo(out, m, kept, i);
                        writeKeptRoutes(out, m, i, e.dropRoutes());
                    }
                }
                case MAX_FORWARDS -> {
                    kept = upTo(out, m, kept, i);
                    if (!seenMaxForwards) {
                        seenMaxForwards = true;
                        // §16.6 item 3: decrement; the request was rejected with 483 when it was 0.
                        ascii(out, "Max-Forwards: " + Math.max(0, m.maxForwards() - 1)).writeBytes(CRLF);
                    }
                }
                case X_EXEC_APP, X_EXEC_APP_DATA -> {
                    // Only the router's own X-Exec-App* reach a node, whoever sent the request (docs/security.md).
                    kept = upTo(out, m, kept, i);
                }
                case CONTENT_LENGTH -> {
                    if (seenContentLength) {
                        kept = upTo(out, m, kept, i);
                    }
                    seenContentLength = true;
                }
                default -> {
                    // Every X-Exec-App* header (X-Exec-App-Placement and any future one) is the dispatcher's to set.
                    if (m.headerNameStartsWith(i, "X-Exec-App")) {
                        kept = upTo(out, m, kept, i);
                    }
                }
            }
        }
        keptUpToBody(out, m, kept);
        if (e.appendRoute() != null) {
            ascii(out, "Route: ").writeBytes(utf8(e.appendRoute())).writeBytes(CRLF);
        }
        if (!seenMaxForwards) {
            ascii(out, "Max-Forwards: 70\r\n"); // §16.6 item 3: add one with 70 when absent
        }
        for (Map.Entry<String, String> h : e.addHeaders().entrySet()) {
            ascii(out, h.getKey()).writeByte(':').writeByte(' ').writeBytes(utf8(h.getValue())).writeBytes(CRLF);
        }
        finish(out, m, seenContentLength);
        return out;
    }

    /** A response forwarded upstream: the top Via (ours) removed (§16.7 item 3), the rest unchanged. */
    public ByteBuf forwardResponse(SipMessage m) {
        ByteBuf src = m.buffer();
        ByteBuf out = alloc.directBuffer(m.length() + 64);
        out.writeBytes(src, m.base(), m.startLineEnd() - m.base());
        List<ValueRange> vias = m.vias();
        ValueRange top = vias.get(0);
        ValueRange second = vias.size() > 1 && vias.get(1).header() == top.header() ? vias.get(1) : null;
        boolean seenContentLength = false;
        int kept = m.startLineEnd();
        for (int i = 0; i < m.headerCount(); i++) {
            if (i == top.header()) {
                kept = upTo(out, m, kept, i);
                if (second != null) {
                    // "Via: ours, theirs": keep the name and the values after ours.
                    out.writeBytes(src, m.lineStart(i), top.start() - m.lineStart(i));
                    out.writeBytes(src, second.start(), m.lineEnd(i) - second.start());
                }
            } else if (m.headerName(i) == HeaderName.CONTENT_LENGTH) {
                if (seenContentLength) {
                    kept = upTo(out, m, kept, i);
                }
                seenContentLength = true;
            }
        }
        keptUpToBody(out, m, kept);
        finish(out, m, seenContentLength);
        return out;
    }

    /**
     * A response generated by the router to {@code request} (§8.2.6.2): Via (with {@code topVia} replacing the first
     * value), From, To (with {@code toTag} added when it has none and the status is above 100), Call-ID and CSeq copied,
     * then {@code extraHeaders} and an empty body.
     */
    public ByteBuf response(SipMessage request, String topVia, int status, String reason, String toTag,
                            List<String> extraHeaders) {
        ByteBuf src = request.buffer();
        ByteBuf out = alloc.directBuffer(512);
        ascii(out, "SIP/2.0 " + status + " " + reason + "\r\n");
        List<ValueRange> vias = request.vias();
        int topViaHeader = vias.isEmpty() ? -1 : vias.get(0).header();
        for (int i = 0; i < request.headerCount(); i++) {
            HeaderName name = request.headerName(i);
            if (name == HeaderName.VIA && i == topViaHeader && topVia != null) {
                ValueRange first = vias.get(0);
                out.writeBytes(src, request.lineStart(i), first.start() - request.lineStart(i));
                out.writeBytes(utf8(topVia));
                out.writeBytes(src, first.end(), request.lineEnd(i) - first.end());
            } else if (name == HeaderName.TO) {
                writeTo(out, request, i, status > 100 ? toTag : null);
            } else if (name == HeaderName.VIA || name == HeaderName.FROM || name == HeaderName.CALL_ID
                    || name == HeaderName.CSEQ) {
                copied(out, request, i);
            } else if (status == 100 && request.headerNameIs(i, "Timestamp")) {
                copied(out, request, i); // §8.2.6.1: 100 Trying copies Timestamp
            }
        }
        ascii(out, "Server: " + serverName + "\r\n");
        for (String h : extraHeaders) {
            out.writeBytes(utf8(h)).writeBytes(CRLF);
        }
        ascii(out, "Content-Length: 0\r\n\r\n");
        return out;
    }

    /**
     * To, with {@code toTag} added when the request has none (§8.2.6.2). A To that does not parse (an unterminated
     * quote, RFC 4475 §3.1.2.6) is written as its bare URI, so that the tag never lands inside a quoted string.
     */
    private static void writeTo(ByteBuf out, SipMessage request, int i, String toTag) {
        String value = request.headerValue(i);
        boolean parsed = true;
        try {
            request.to();
        } catch (SipParseException e) {
            parsed = false;
        }
        if (!parsed) {
            value = "<" + NameAddr.uriForResponse(value) + ">";
        } else if (SipParser.illegalControlCharacter(request.buffer(), request.valueStart(i), request.valueEnd(i)) >= 0) {
            value = sanitized(value);
        }
        ascii(out, "To: ").writeBytes(utf8(value));
        if (toTag != null && (!parsed || request.toTagOrNull() == null)) {
            ascii(out, ";tag=" + toTag);
        }
        out.writeBytes(CRLF);
    }

    /**
     * A header line copied into a response of the router's own: byte for byte, but with each control character that
     * §25.1 does not allow there (a bare CR, a NUL outside a quoted-pair) replaced by '?'. A request with one is
     * refused, and its refusal must not carry the defect on (RFC 4475 §3.1.2).
     */
    private static void copied(ByteBuf out, SipMessage m, int i) {
        copyLine(out, m.buffer(), m.lineStart(i), m.lineEnd(i));
    }

    /** Copies {@code [from, end)} of {@code src}, each control character §25.1 does not allow there made '?'. */
    static void copyLine(ByteBuf out, ByteBuf src, int from, int end) {
        // The usual line has no control character but HTAB, or only its closing CRLF: one pass of the buffer's own
        // loop, then one copy. Anything else (a folded line, a stray CR) is checked by the parser's rule.
        int ctl = src.forEachByte(from, end - from, NO_CONTROL);
        if (ctl < 0 || ctl == end - 2 && src.getByte(ctl) == '\r' && src.getByte(ctl + 1) == '\n') {
            out.writeBytes(src, from, end - from);
            return;
        }
        int bad = SipParser.illegalControlCharacter(src, from, end);
        while (bad >= 0) {
            out.writeBytes(src, from, bad - from).writeByte('?');
            from = bad + 1;
            bad = SipParser.illegalControlCharacter(src, from, end);
        }
        out.writeBytes(src, from, end - from);
    }

    private static String sanitized(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            sb.append(c < ' ' && c != '\t' || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }

    /** True when Route header {@code i} holds a value to drop. */
    private static boolean dropsFrom(List<ValueRange> drop, int i) {
        for (ValueRange r : drop) {
            if (r.header() == i) {
                return true;
            }
        }
        return false;
    }

    /** Route header {@code i} without the values to drop; nothing when none is left. */
    private static void writeKeptRoutes(ByteBuf out, SipMessage m, int i, List<ValueRange> drop) {
        List<String> kept = new ArrayList<>(2);
        for (ValueRange r : m.ranges(HeaderName.ROUTE)) {
            if (r.header() == i && !drop.contains(r)) {
                kept.add(m.text(r));
            }
        }
        if (!kept.isEmpty()) {
            ascii(out, "Route: ").writeBytes(utf8(String.join(", ", kept))).writeBytes(CRLF);
        }
    }

    /**
     * Copies the unchanged lines from {@code kept} up to header {@code i}, which the caller replaces or drops, in one
     * write; returns where the next unchanged bytes start (after header {@code i}).
     */
    private static int upTo(ByteBuf out, SipMessage m, int kept, int i) {
        if (m.lineStart(i) > kept) {
            out.writeBytes(m.buffer(), kept, m.lineStart(i) - kept);
        }
        return m.lineEnd(i);
    }

    /** Copies the unchanged lines from {@code kept} to the end of the header section (the empty line excluded). */
    private static void keptUpToBody(ByteBuf out, SipMessage m, int kept) {
        int end = m.headerCount() == 0 ? m.startLineEnd() : m.lineEnd(m.headerCount() - 1);
        out.writeBytes(m.buffer(), kept, end - kept);
    }

    private static void finish(ByteBuf out, SipMessage m, boolean hadContentLength) {
        if (!hadContentLength) {
            // Mandatory over TCP (§18.3, §20.14); the body length is what the datagram carried.
            ascii(out, "Content-Length: " + m.bodyLength() + "\r\n");
        }
        out.writeBytes(CRLF);
        out.writeBytes(m.buffer(), m.bodyStart(), m.bodyLength());
    }

    private static ByteBuf ascii(ByteBuf out, String s) {
        ByteBufUtil.writeAscii(out, s);
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
