package io.roundhouse.router.sip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One SIP message framed by {@link SipParser}: the original bytes plus an index of its start line, header lines and
 * body. Values are parsed on first use and cached; nothing is copied until asked for, and forwarding writes the
 * untouched lines back byte for byte. Offsets are absolute indices into {@link #buffer()}.
 *
 * <p>Not thread-safe: a message lives on the event loop that received it. It shares its buffer; the owner of the
 * buffer releases it.
 */
public final class SipMessage {

    private final ByteBuf buf;
    private final int base;
    private final boolean request;

    String method;
    int requestUriStart;
    int requestUriEnd;
    int statusCode;
    int reasonStart;
    int reasonEnd;
    int startLineEnd;
    boolean badVersion;

    private int count;
    private HeaderName[] names = new HeaderName[16];
    private int[] lineStart = new int[16];
    private int[] nameEnd = new int[16];
    private int[] valueStart = new int[16];
    private int[] valueEnd = new int[16];
    private int[] lineEnd = new int[16];

    int bodyStart;
    int bodyLength;
    boolean hasContentLength;

    private SipParseException defect;

    private List<ValueRange> vias;
    private Via topVia;
    private String callId;
    private CSeq cseq;
    private int maxForwards = Integer.MIN_VALUE;
    private NameAddr from;
    private NameAddr to;

    SipMessage(ByteBuf buf, int base, boolean request) {
        this.buf = buf;
        this.base = base;
        this.request = request;
    }

    /**
     * This message over a heap copy of its bytes (start line to end of body), for a message kept beyond the datagram
     * that brought it: the transport reuses its buffer. The index and the values already read are carried over, not
     * parsed again. The copy is not reference counted, so that it may be read for as long as it is reachable.
     */
    public SipMessage copy() {
        int length = length();
        byte[] bytes = new byte[length];
        buf.getBytes(base, bytes);
        SipMessage c = new SipMessage(Unpooled.wrappedBuffer(bytes), 0, request);
        int shift = -base;
        c.method = method;
        c.requestUriStart = requestUriStart + shift;
        c.requestUriEnd = requestUriEnd + shift;
        c.statusCode = statusCode;
        c.reasonStart = reasonStart + shift;
        c.reasonEnd = reasonEnd + shift;
        c.startLineEnd = startLineEnd + shift;
        c.badVersion = badVersion;
        c.count = count;
        c.names = names.clone();
        c.lineStart = shifted(lineStart, shift);
        c.nameEnd = shifted(nameEnd, shift);
        c.valueStart = shifted(valueStart, shift);
        c.valueEnd = shifted(valueEnd, shift);
        c.lineEnd = shifted(lineEnd, shift);
        c.bodyStart = bodyStart + shift;
        c.bodyLength = bodyLength;
        c.hasContentLength = hasContentLength;
        // Offsets from the start of the message, and parsed values that hold none: true of the copy as well.
        c.defect = defect;
        c.topVia = topVia;
        c.callId = callId;
        c.cseq = cseq;
        c.maxForwards = maxForwards;
        c.from = from;
        c.to = to;
        return c;
    }

    private int[] shifted(int[] offsets, int shift) {
        int[] out = new int[offsets.length];
        for (int i = 0; i < count; i++) {
            out[i] = offsets[i] + shift;
        }
        return out;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** Offset of the first byte of the message in {@link #buffer()}. */
    public int base() {
        return base;
    }

    public boolean isRequest() {
        return request;
    }

    /** The method of a request, as written (methods are case-sensitive, §7.1). */
    public String method() {
        return method;
    }

    public boolean isMethod(String m) {
        return m.equals(method);
    }

    public String requestUri() {
        return text(requestUriStart, requestUriEnd);
    }

    public int statusCode() {
        return statusCode;
    }

    public String reasonPhrase() {
        return text(reasonStart, reasonEnd);
    }

    /** Offset just after the CRLF of the start line. */
    public int startLineEnd() {
        return startLineEnd;
    }

    /** The first defect seen while framing, or null. */
    public SipParseException defect() {
        return defect;
    }

    /** True when the Request-Line's version is not SIP/2.0 (answered 505, §8.2.x). */
    public boolean badVersion() {
        return badVersion;
    }

    void addDefect(int offset, String reason) {
        if (defect == null) {
            defect = new SipParseException(offset, reason);
        }
    }

    void addHeader(HeaderName name, int start, int nEnd, int vStart, int vEnd, int lEnd, boolean valid) {
        if (count == names.length) {
            int n = count * 2;
            names = Arrays.copyOf(names, n);
            lineStart = Arrays.copyOf(lineStart, n);
            nameEnd = Arrays.copyOf(nameEnd, n);
            valueStart = Arrays.copyOf(valueStart, n);
            valueEnd = Arrays.copyOf(valueEnd, n);
            lineEnd = Arrays.copyOf(lineEnd, n);
        }
        names[count] = valid ? name : HeaderName.OTHER;
        lineStart[count] = start;
        nameEnd[count] = nEnd;
        valueStart[count] = vStart;
        valueEnd[count] = vEnd;
        lineEnd[count] = lEnd;
        count++;
    }

    // ---- header index -------------------------------------------------------------------------------------------

    public int headerCount() {
        return count;
    }

    public HeaderName headerName(int i) {
        return names[i];
    }

    /** The header's name as written, e.g. {@code v} or {@code VIA}. */
    public String headerNameText(int i) {
        return text(lineStart[i], nameEnd[i]);
    }

    /** True when header {@code i}'s name as written is {@code name}, ignoring ASCII case; no string is made. */
    public boolean headerNameIs(int i, String name) {
        return nameEnd[i] - lineStart[i] == name.length() && headerNameStartsWith(i, name);
    }

    /** True when header {@code i}'s name as written starts with {@code prefix}, ignoring ASCII case. */
    public boolean headerNameStartsWith(int i, String prefix) {
        int start = lineStart[i];
        if (nameEnd[i] - start < prefix.length()) {
            return false;
        }
        for (int k = 0; k < prefix.length(); k++) {
            if (Ascii.toLower(buf.getByte(start + k)) != Ascii.toLower(prefix.charAt(k))) {
                return false;
            }
        }
        return true;
    }

    /** Start of the header line (its name). */
    public int lineStart(int i) {
        return lineStart[i];
    }

    /** End of the header line including its CRLF and continuation lines. */
    public int lineEnd(int i) {
        return lineEnd[i];
    }

    public int valueStart(int i) {
        return valueStart[i];
    }

    public int valueEnd(int i) {
        return valueEnd[i];
    }

    /** The value of header {@code i}, with line folding replaced by a single space (§7.3.1). */
    public String headerValue(int i) {
        return text(valueStart[i], valueEnd[i]);
    }

    /** Index of the first header with this name, or -1. */
    public int first(HeaderName name) {
        for (int i = 0; i < count; i++) {
            if (names[i] == name) {
                return i;
            }
        }
        return -1;
    }

    /** The first {@link HeaderName#isSingleInstance() single-instance} header that appears twice, or null. */
    public HeaderName repeatedSingleInstance() {
        long seen = 0;
        for (int i = 0; i < count; i++) {
            HeaderName name = names[i];
            if (name.isSingleInstance()) {
                long bit = 1L << name.ordinal();
                if ((seen & bit) != 0) {
                    return name;
                }
                seen |= bit;
            }
        }
        return null;
    }

    /** Every value of a known header in message order, comma-joined list values split (§7.3.1). */
    public List<ValueRange> ranges(HeaderName name) {
        List<ValueRange> out = new ArrayList<>(2);
        for (int i = 0; i < count; i++) {
            if (names[i] == name) {
                if (name.isList()) {
                    splitList(i, out);
                } else {
                    out.add(new ValueRange(i, valueStart[i], valueEnd[i]));
                }
            }
        }
        return out;
    }

    /** Every value of the header named {@code name} (long or compact form, any case), in message order. */
    public List<String> values(String name) {
        HeaderName known = HeaderName.lookup(name);
        List<String> out = new ArrayList<>(2);
        if (known != HeaderName.OTHER) {
            for (ValueRange r : ranges(known)) {
                out.add(text(r.start(), r.end()));
            }
            return out;
        }
        for (int i = 0; i < count; i++) {
            if (names[i] == HeaderName.OTHER && nameEnd[i] - lineStart[i] == name.length()
                    && headerNameText(i).equalsIgnoreCase(name)) {
                out.add(headerValue(i));
            }
        }
        return out;
    }

    /** The text of a value range. */
    public String text(ValueRange r) {
        return text(r.start(), r.end());
    }

    /**
     * Splits the value of header {@code i} at commas that are outside quoted strings and angle brackets (§7.3.1, the
     * comma-joined form of a list header).
     */
    private void splitList(int i, List<ValueRange> out) {
        int start = valueStart[i];
        int end = valueEnd[i];
        if (buf.indexOf(start, end, (byte) ',') < 0) {
            // No comma at all, the usual case: one value, found without reading the bytes one at a time.
            addTrimmed(i, start, end, out);
            return;
        }
        int itemStart = start;
        for (int comma = outsideQuotesAndBrackets(buf, start, end, (byte) ','); comma >= 0 && comma < end;
                comma = outsideQuotesAndBrackets(buf, itemStart, end, (byte) ',')) {
            addTrimmed(i, itemStart, comma, out);
            itemStart = comma + 1;
        }
        addTrimmed(i, itemStart, end, out);
    }

    /**
     * The first {@code separator} in {@code [start, end)} that is outside quoted strings (with their quoted-pairs) and
     * angle brackets (§25.1); {@code end} when there is none, or -1 when there is none and the range ends inside an
     * open quote or bracket.
     */
    public static int outsideQuotesAndBrackets(ByteBuf buf, int start, int end, byte separator) {
        boolean quoted = false;
        boolean angle = false;
        for (int p = start; p < end; p++) {
            byte b = buf.getByte(p);
            if (quoted) {
                if (b == '\\') {
                    p++;
                } else if (b == '"') {
                    quoted = false;
                }
            } else if (b == '"') {
                quoted = true;
            } else if (b == '<') {
                angle = true;
            } else if (b == '>') {
                angle = false;
            } else if (b == separator && !angle) {
                return p;
            }
        }
        return quoted || angle ? -1 : end;
    }


    private void addTrimmed(int header, int start, int end, List<ValueRange> out) {
        while (start < end && isSpace(buf.getByte(start))) {
            start++;
        }
        while (end > start && isSpace(buf.getByte(end - 1))) {
            end--;
        }
        if (end > start) {
            out.add(new ValueRange(header, start, end));
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    // ---- body -----------------------------------------------------------------------------------------------------

    public int bodyStart() {
        return bodyStart;
    }

    /** Length of the body: Content-Length, or the rest of the datagram when it is absent. */
    public int bodyLength() {
        return bodyLength;
    }

    public boolean hasContentLength() {
        return hasContentLength;
    }

    /** Total length of the message as framed (start line to end of body). */
    public int length() {
        return bodyStart + bodyLength - base;
    }

    // ---- values the proxy needs, parsed on first use ---------------------------------------------------------------

    /** Every Via value, top first. */
    public List<ValueRange> vias() {
        if (vias == null) {
            vias = ranges(HeaderName.VIA);
        }
        return vias;
    }

    /** The top Via, parsed; throws {@link SipParseException} when absent or malformed. */
    public Via topVia() {
        if (topVia == null) {
            List<ValueRange> all = vias();
            if (all.isEmpty()) {
                throw new SipParseException(-1, "missing Via");
            }
            topVia = Via.parse(this, all.get(0));
        }
        return topVia;
    }

    /** The top Via, or null when absent or malformed. */
    public Via topViaOrNull() {
        try {
            return topVia();
        } catch (SipParseException e) {
            return null;
        }
    }

    /** Call-ID; throws when absent or empty. */
    public String callId() {
        if (callId == null) {
            int h = first(HeaderName.CALL_ID);
            if (h < 0 || valueEnd[h] == valueStart[h]) {
                throw new SipParseException(h < 0 ? -1 : valueStart[h] - base, "missing Call-ID");
            }
            callId = headerValue(h);
        }
        return callId;
    }

    /** Call-ID, or "" when absent (for logs). */
    public String callIdOrEmpty() {
        int h = first(HeaderName.CALL_ID);
        return h < 0 ? "" : headerValue(h);
    }

    /** CSeq; throws when absent or malformed. */
    public CSeq cseq() {
        if (cseq == null) {
            int h = first(HeaderName.CSEQ);
            if (h < 0) {
                throw new SipParseException(-1, "missing CSeq");
            }
            cseq = CSeq.parse(this, h);
        }
        return cseq;
    }

    /** Max-Forwards value, or -1 when absent; throws when not a number 0-255 (leading zeros allowed, §20.22). */
    public int maxForwards() {
        if (maxForwards == Integer.MIN_VALUE) {
            int h = first(HeaderName.MAX_FORWARDS);
            if (h < 0) {
                maxForwards = -1;
            } else {
                long v = number(h, "Max-Forwards");
                if (v > 255) {
                    throw new SipParseException(valueStart[h] - base, "Max-Forwards " + v + " out of range 0-255");
                }
                maxForwards = (int) v;
            }
        }
        return maxForwards;
    }

    /** The From header's address, or throws when absent. */
    public NameAddr from() {
        if (from == null) {
            from = nameAddr(HeaderName.FROM, "From");
        }
        return from;
    }

    /** The To header's address, or throws when absent. */
    public NameAddr to() {
        if (to == null) {
            to = nameAddr(HeaderName.TO, "To");
        }
        return to;
    }

    private NameAddr nameAddr(HeaderName name, String label) {
        int h = first(name);
        if (h < 0) {
            throw new SipParseException(-1, "missing " + label);
        }
        return NameAddr.parse(headerValue(h), valueStart[h] - base, label);
    }

    /** The To tag, or null (null also when To is absent or malformed). */
    public String toTagOrNull() {
        try {
            return to().tag();
        } catch (SipParseException e) {
            return null;
        }
    }

    /** Parses header {@code h} as a decimal number; leading zeros are allowed (§25.1 {@code 1*DIGIT}). */
    long number(int h, String label) {
        int p = valueStart[h];
        int end = valueEnd[h];
        if (p == end) {
            throw new SipParseException(p - base, label + " is empty");
        }
        long v = 0;
        for (; p < end; p++) {
            byte b = buf.getByte(p);
            if (b < '0' || b > '9') {
                throw new SipParseException(p - base, label + " is not a number");
            }
            v = v * 10 + (b - '0');
            if (v > Integer.MAX_VALUE) {
                throw new SipParseException(valueStart[h] - base, label + " too large");
            }
        }
        return v;
    }

    /** Text of {@code buf[start, end)} with folded lines collapsed to one space. */
    public String text(int start, int end) {
        if (end <= start) {
            return "";
        }
        if (buf.indexOf(start, end, (byte) '\n') < 0) {
            return buf.toString(start, end - start, StandardCharsets.UTF_8);
        }
        StringBuilder sb = new StringBuilder(end - start);
        String raw = buf.toString(start, end - start, StandardCharsets.UTF_8);
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\r' || c == '\n') {
                while (i + 1 < raw.length() && (raw.charAt(i + 1) == '\r' || raw.charAt(i + 1) == '\n'
                        || raw.charAt(i + 1) == ' ' || raw.charAt(i + 1) == '\t')) {
                    i++;
                }
                sb.append(' ');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The whole message as text (for logs and tests). */
    @Override
    public String toString() {
        return buf.toString(base, length(), StandardCharsets.UTF_8);
    }
}
