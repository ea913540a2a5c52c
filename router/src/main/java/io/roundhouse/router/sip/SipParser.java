package io.roundhouse.router.sip;

import io.netty.buffer.ByteBuf;

/**
 * Frames one SIP message and indexes its lines (RFC 3261 §7, §25), without copying: the start line is split, each
 * header line is recorded as offsets into the buffer, and values are parsed only when asked for.
 *
 * <p>A message whose start line cannot be read at all, or whose header section never ends, throws
 * {@link SipParseException}: nothing can be answered. Defects after a readable request line (a malformed Request-Line
 * or header line, a bad Content-Length, a wrong version, a datagram that ends after a whole header line without the
 * empty line) are recorded on the message as {@link SipMessage#defect()} so that the proxy can answer 400 (505 for the
 * version) naming them.
 */
public final class SipParser {

    private SipParser() {
    }

    /** True when {@code buf} holds only CRLFs: a keep-alive (RFC 5626 §4.4.1), not a message. */
    public static boolean isKeepAlive(ByteBuf buf) {
        for (int i = buf.readerIndex(); i < buf.writerIndex(); i++) {
            byte b = buf.getByte(i);
            if (b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the message in {@code buf[readerIndex, writerIndex)}: a whole UDP datagram or one TCP frame. The returned
     * message shares (does not retain) the buffer.
     *
     * @param datagram true for UDP, where a missing Content-Length means "up to the end of the datagram" (§18.3)
     */
    public static SipMessage parse(ByteBuf buf, boolean datagram) {
        final MessageBytes bytes = MessageBytes.forFraming(buf);
        final int base = buf.readerIndex();
        final int end = buf.writerIndex();
        int pos = base;
        // §7.5: implementations SHOULD ignore any CRLF appearing before the start-line.
        while (pos < end && (bytes.at(pos) == '\r' || bytes.at(pos) == '\n')) {
            pos++;
        }
        if (pos == end) {
            throw new SipParseException(pos - base, "empty message");
        }
        int lineEnd = findLineEnd(bytes, pos, end);
        if (lineEnd < 0) {
            throw new SipParseException(pos - base, "start line not terminated by CRLF");
        }
        int next = afterLineEnd(bytes, lineEnd);
        SipMessage message = startLine(bytes, base, pos, lineEnd);
        message.startLineEnd = next;
        pos = next;
        boolean ended = false;
        while (pos < end) {
            lineEnd = findLineEnd(bytes, pos, end);
            if (lineEnd < 0) {
                break;
            }
            if (lineEnd == pos) {
                pos = afterLineEnd(bytes, lineEnd);
                ended = true;
                break;
            }
            pos = headerLine(message, bytes, base, pos, lineEnd, end);
        }
        if (!ended) {
            if (!datagram || pos != end || pos == message.startLineEnd) {
                throw new SipParseException(pos - base, "end of header section (empty line) not found");
            }
            // A datagram whose last header line ends the datagram (RFC 4475's baddn.dat): every header is here, so
            // the sender can be told what is wrong (§7: the empty line is mandatory) instead of being ignored.
            message.addDefect(pos - base, "header section not ended by an empty line");
        }
        body(message, bytes, base, pos, end, datagram);
        return message;
    }

    /** {@code Request-Line = Method SP Request-URI SP SIP-Version CRLF}; {@code Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF}. */
    private static SipMessage startLine(MessageBytes bytes, int base, int start, int end) {
        if (regionMatchesIgnoreCase(bytes, start, end, "SIP/")) {
            return statusLine(bytes, base, start, end);
        }
        int p = start;
        while (p < end && Ascii.isToken(bytes.at(p))) {
            p++;
        }
        if (p == start || p >= end || bytes.at(p) != ' ') {
            throw new SipParseException(p - base, "start line is neither a Request-Line nor a Status-Line");
        }
        SipMessage m = new SipMessage(bytes.buffer(), base, true);
        m.method = method(bytes, start, p);
        for (int i = p; i < end; i++) {
            byte b = bytes.at(i);
            if (b >= 0 && b < 0x20 || b == 0x7f) {
                m.addDefect(i - base, "control character 0x" + Integer.toHexString(b) + " in the Request-Line");
                break;
            }
        }
        int uriStart = p + 1;
        int uriEnd = uriStart;
        while (uriEnd < end && bytes.at(uriEnd) != ' ') {
            uriEnd++;
        }
        m.requestUriStart = uriStart;
        m.requestUriEnd = uriEnd;
        // §7.1 and §25.1: exactly one SP between the three elements, none elsewhere (RFC 4475 §3.1.2.8-3.1.2.10).
        if (uriEnd == uriStart) {
            m.addDefect(uriStart - base, uriStart < end ? "more than one SP between Method and Request-URI"
                    : "missing Request-URI");
        } else if (schemeEnd(bytes, uriStart, uriEnd) < 0) {
            // Also a Request-URI in angle brackets (RFC 4475 §3.1.2.7): <> belong to name-addr, never here.
            m.addDefect(uriStart - base, "Request-URI is not an absolute URI (expected: scheme:...)");
        } else if (uriEnd >= end) {
            m.addDefect(uriEnd - base, "missing SIP-Version in Request-Line");
        } else if (regionEqualsIgnoreCase(bytes, uriEnd + 1, end, "SIP/2.0")) {
            return m;
        } else if (isSipVersion(bytes, uriEnd + 1, end)) {
            m.addDefect(uriEnd + 1 - base, "unsupported SIP-Version (expected: SIP/2.0)");
            m.badVersion = true;
        } else {
            // White space inside the Request-URI, or after the version: not a Request-Line at all (400, not 505).
            m.addDefect(uriEnd + 1 - base, "malformed Request-Line (expected: Method SP Request-URI SP SIP/2.0)");
        }
        return m;
    }

    /** Offset of the colon ending {@code scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )} (§25.1), or -1. */
    private static int schemeEnd(MessageBytes bytes, int start, int end) {
        if (!isAlpha(bytes.at(start))) {
            return -1;
        }
        for (int p = start + 1; p < end; p++) {
            byte b = bytes.at(p);
            if (b == ':') {
                return p;
            }
            if (!isAlpha(b) && !(b >= '0' && b <= '9') && b != '+' && b != '-' && b != '.') {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isAlpha(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z';
    }

    /** {@code SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT} (§25.1). */
    private static boolean isSipVersion(MessageBytes bytes, int start, int end) {
        if (!regionMatchesIgnoreCase(bytes, start, end, "SIP/")) {
            return false;
        }
        int p = start + 4;
        int major = p;
        while (p < end && bytes.at(p) >= '0' && bytes.at(p) <= '9') {
            p++;
        }
        if (p == major || p >= end || bytes.at(p) != '.') {
            return false;
        }
        int minor = ++p;
        while (p < end && bytes.at(p) >= '0' && bytes.at(p) <= '9') {
            p++;
        }
        return p > minor && p == end;
    }

    private static SipMessage statusLine(MessageBytes bytes, int base, int start, int end) {
        int p = start + 4;
        if (!regionMatchesIgnoreCase(bytes, start, end, "SIP/2.0 ")) {
            throw new SipParseException(p - base, "unsupported SIP-Version in Status-Line (expected: SIP/2.0)");
        }
        p = start + 8;
        int code = 0;
        int digits = 0;
        while (p < end && digits < 4 && bytes.at(p) >= '0' && bytes.at(p) <= '9') {
            code = code * 10 + (bytes.at(p) - '0');
            p++;
            digits++;
        }
        if (digits != 3 || code < 100 || (p < end && bytes.at(p) != ' ')) {
            throw new SipParseException(start + 8 - base, "Status-Code is not three digits 100-699");
        }
        if (code > 699) {
            throw new SipParseException(start + 8 - base, "Status-Code " + code + " out of range 100-699");
        }
        SipMessage m = new SipMessage(bytes.buffer(), base, false);
        m.statusCode = code;
        m.reasonStart = Math.min(p + 1, end);
        m.reasonEnd = end;
        return m;
    }

    /** The methods of RFC 3261 and its extensions, shared so that each message does not allocate its method name. */
    private static final String[] METHODS = {"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
        "UPDATE", "INFO", "REFER", "NOTIFY", "SUBSCRIBE", "MESSAGE", "PUBLISH"};

    /** The method token in {@code buf[start, end)}; methods are case-sensitive (§7.1). */
    static String method(MessageBytes bytes, int start, int end) {
        int length = end - start;
        for (String known : METHODS) {
            if (known.length() == length && equalsAt(bytes, start, known)) {
                return known;
            }
        }
        return bytes.buffer().toString(start, length, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A method name given as text, shared when it is a known one. */
    static String method(String text) {
        for (String known : METHODS) {
            if (known.equals(text)) {
                return known;
            }
        }
        return text;
    }

    private static boolean equalsAt(MessageBytes bytes, int start, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (bytes.at(start + i) != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code message-header = field-name HCOLON field-value CRLF} where {@code HCOLON = *( SP / HTAB ) ":" SWS} and a
     * value may continue on lines that start with white space (line folding, §7.3.1).
     *
     * @return the offset after the header line and its continuations
     */
    private static int headerLine(SipMessage m, MessageBytes bytes, int base, int start, int lineEnd, int end) {
        int next = afterLineEnd(bytes, lineEnd);
        // Line folding: the value goes on while following lines start with SP or HTAB.
        while (next < end && Ascii.isWsp(bytes.at(next))) {
            int more = findLineEnd(bytes, next, end);
            if (more < 0) {
                break;
            }
            lineEnd = more;
            next = afterLineEnd(bytes, more);
        }
        int bad = illegalControlCharacter(bytes, start, lineEnd);
        if (bad >= 0) {
            // §7.3.1 allows only CRLF + WSP (folding) and HTAB inside a header; a bare CR is a line end to some
            // parsers (pjsip), so forwarding it would smuggle a header past the proxy's edits (X-Exec-App).
            m.addDefect(bad - base, bytes.at(bad) == '\r' ? "bare CR (not followed by LF) in a header line"
                    : "control character 0x" + Integer.toHexString(bytes.at(bad) & 0xff) + " in a header line");
        }
        int p = start;
        while (p < lineEnd && Ascii.isToken(bytes.at(p))) {
            p++;
        }
        int nameEnd = p;
        while (p < lineEnd && Ascii.isWsp(bytes.at(p))) {
            p++;
        }
        if (nameEnd == start || p >= lineEnd || bytes.at(p) != ':') {
            m.addDefect(start - base, nameEnd == start && Ascii.isWsp(bytes.at(start))
                    ? "folded line before the first header" : "malformed header line (expected: name: value)");
            m.addHeader(HeaderName.OTHER, start, nameEnd, lineEnd, lineEnd, next, false);
            return next;
        }
        p++;
        while (p < lineEnd && isLws(bytes, p, lineEnd)) {
            p++;
        }
        int valueEnd = lineEnd;
        while (valueEnd > p && isTrailingSpace(bytes.at(valueEnd - 1))) {
            valueEnd--;
        }
        m.addHeader(HeaderName.lookup(bytes, start, nameEnd), start, nameEnd, p, valueEnd, next, true);
        return next;
    }

    private static void body(SipMessage m, MessageBytes bytes, int base, int bodyStart, int end, boolean datagram) {
        m.bodyStart = bodyStart;
        int available = end - bodyStart;
        int h = m.first(HeaderName.CONTENT_LENGTH);
        if (h < 0) {
            m.bodyLength = available;
            if (!datagram) {
                m.addDefect(-1, "missing Content-Length (mandatory over stream transports, RFC 3261 §18.3)");
            }
            return;
        }
        long length;
        try {
            length = m.number(h, "Content-Length");
        } catch (SipParseException e) {
            m.addDefect(e.offset(), e.reason());
            m.bodyLength = available;
            return;
        }
        if (length > available) {
            m.addDefect(bodyStart - base, "Content-Length " + length + " exceeds the " + available
                    + " body bytes received");
            m.bodyLength = available;
        } else {
            // §18.3: octets beyond Content-Length in a datagram are discarded.
            m.bodyLength = (int) length;
            m.hasContentLength = true;
        }
    }

    /**
     * Offset of the first control character that §25.1 does not allow in {@code [from, to)}, or -1. HTAB and the CRLF
     * of a folded line are allowed anywhere; inside a quoted string a {@code quoted-pair} may escape any octet but CR
     * and LF ({@code "\" (%x00-09 / %x0B-0C / %x0E-7F)}), so {@code "BEL:\<BEL>"} is a legal display name (RFC 4475
     * §3.1.1.2).
     */
    public static int illegalControlCharacter(ByteBuf buf, int from, int to) {
        return illegalControlCharacter(MessageBytes.region(buf, from, to), from, to);
    }

    private static int illegalControlCharacter(MessageBytes bytes, int from, int to) {
        boolean quoted = false;
        for (int i = from; i < to; i++) {
            byte b = bytes.at(i);
            if (quoted && b == '\\' && i + 1 < to && bytes.at(i + 1) != '\r' && bytes.at(i + 1) != '\n') {
                i++;
            } else if (b == '"') {
                quoted = !quoted;
            } else if ((b >= 0 && b < 0x20 || b == 0x7f) && b != '\t' && b != '\n'
                    && !(b == '\r' && i + 1 < to && bytes.at(i + 1) == '\n')) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isLws(MessageBytes bytes, int p, int lineEnd) {
        byte b = bytes.at(p);
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static boolean isTrailingSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** Offset of the CR of the next CRLF (or of a bare LF) at or after {@code from}, or -1. */
    static int findLineEnd(MessageBytes bytes, int from, int end) {
        int lf = bytes.indexOf(from, end, (byte) '\n');
        if (lf < 0) {
            return -1;
        }
        return lf > from && bytes.at(lf - 1) == '\r' ? lf - 1 : lf;
    }

    static int afterLineEnd(MessageBytes bytes, int lineEnd) {
        return bytes.at(lineEnd) == '\r' ? lineEnd + 2 : lineEnd + 1;
    }

    private static boolean regionMatchesIgnoreCase(MessageBytes bytes, int start, int end, String prefix) {
        if (end - start < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (Ascii.toLower(bytes.at(start + i)) != Ascii.toLower(prefix.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean regionEqualsIgnoreCase(MessageBytes bytes, int start, int end, String text) {
        return end - start == text.length() && regionMatchesIgnoreCase(bytes, start, end, text);
    }
}
