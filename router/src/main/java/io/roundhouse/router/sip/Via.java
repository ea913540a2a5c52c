package io.roundhouse.router.sip;

import java.util.Locale;

/**
 * One Via value (RFC 3261 §20.42, §25.1 {@code via-parm}):
 * {@code sent-protocol LWS sent-by *( SEMI via-params )}, with the {@code received} and {@code rport} (RFC 3581)
 * parameters a proxy needs.
 *
 * @param text      the value with folding collapsed, e.g. {@code SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport}
 * @param transport the transport of the sent-protocol, upper case, e.g. {@code UDP}
 * @param host      the sent-by host as written (IPv6 with brackets)
 * @param port      the sent-by port, or -1 when absent
 * @param branch    the branch parameter, or null
 * @param received  the received parameter, or null
 * @param rport     -1 when absent, 0 when present without a value, else its value
 * @param rportEnd  index in {@code text} just after a value-less {@code rport}, or -1
 */
public record Via(String text, String transport, String host, int port, String branch, String received, int rport,
                  int rportEnd) {

    /** The RFC 3261 magic cookie that starts every branch of a compliant element (§8.1.1.7). */
    public static final String MAGIC_COOKIE = "z9hG4bK";

    static Via parse(SipMessage m, ValueRange r) {
        return parse(m.text(r), r.start() - m.base());
    }

    /** Parses a Via value; {@code offset} is where it starts in the message, for errors. */
    public static Via parse(String text, int offset) {
        int p = 0;
        int n = text.length();
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, with LWS allowed around SLASH.
        int slash1 = text.indexOf('/');
        int slash2 = slash1 < 0 ? -1 : text.indexOf('/', slash1 + 1);
        if (slash1 < 0 || slash2 < 0 || !text.substring(0, slash1).trim().equalsIgnoreCase("SIP")
                || !text.substring(slash1 + 1, slash2).trim().equals("2.0")) {
            throw new SipParseException(offset, "malformed Via sent-protocol (expected: SIP/2.0/transport)");
        }
        p = slash2 + 1;
        while (p < n && isWs(text.charAt(p))) {
            p++;
        }
        int tStart = p;
        while (p < n && isTokenChar(text.charAt(p))) {
            p++;
        }
        if (p == tStart) {
            throw new SipParseException(offset + p, "missing Via transport");
        }
        String transport = text.substring(tStart, p).toUpperCase(Locale.ROOT);
        int ws = p;
        while (p < n && isWs(text.charAt(p))) {
            p++;
        }
        if (p == ws || p >= n) {
            throw new SipParseException(offset + p, "missing Via sent-by");
        }
        int hStart = p;
        String host;
        if (text.charAt(p) == '[') {
            int close = text.indexOf(']', p);
            if (close < 0) {
                throw new SipParseException(offset + p, "unterminated IPv6 reference in Via sent-by");
            }
            p = close + 1;
            host = text.substring(hStart, p);
        } else {
            while (p < n && (isTokenChar(text.charAt(p)))) {
                p++;
            }
            host = text.substring(hStart, p);
        }
        if (host.isEmpty() || host.equals("[]")) {
            throw new SipParseException(offset + hStart, "missing Via sent-by host");
        }
        int port = -1;
        while (p < n && isWs(text.charAt(p))) {
            p++;
        }
        if (p < n && text.charAt(p) == ':') {
            p++;
            while (p < n && isWs(text.charAt(p))) {
                p++;
            }
            int pStart = p;
            while (p < n && Character.isDigit(text.charAt(p)) && p - pStart < 6) {
                p++;
            }
            if (p == pStart) {
                throw new SipParseException(offset + pStart, "malformed Via sent-by port");
            }
            port = Integer.parseInt(text.substring(pStart, p));
            if (port < 1 || port > 65535) {
                throw new SipParseException(offset + pStart, "Via sent-by port " + port + " out of range");
            }
        }
        String branch = null;
        String received = null;
        int rport = -1;
        int rportEnd = -1;
        while (p < n) {
            while (p < n && isWs(text.charAt(p))) {
                p++;
            }
            if (p >= n) {
                break;
            }
            if (text.charAt(p) != ';') {
                throw new SipParseException(offset + p, "unexpected character '" + text.charAt(p)
                        + "' in Via (expected: ;param)");
            }
            p++;
            while (p < n && isWs(text.charAt(p))) {
                p++;
            }
            int nameStart = p;
            while (p < n && isTokenChar(text.charAt(p))) {
                p++;
            }
            String name = text.substring(nameStart, p);
            if (name.isEmpty()) {
                throw new SipParseException(offset + p, "empty Via parameter");
            }
            int nameEnd = p;
            while (p < n && isWs(text.charAt(p))) {
                p++;
            }
            String value = null;
            if (p < n && text.charAt(p) == '=') {
                p++;
                while (p < n && isWs(text.charAt(p))) {
                    p++;
                }
                int vStart = p;
                if (p < n && text.charAt(p) == '"') {
                    int close = text.indexOf('"', p + 1);
                    if (close < 0) {
                        throw new SipParseException(offset + p, "unterminated quoted Via parameter");
                    }
                    p = close + 1;
                } else if (p < n && text.charAt(p) == '[') {
                    int close = text.indexOf(']', p);
                    p = close < 0 ? n : close + 1;
                } else {
                    while (p < n && (isTokenChar(text.charAt(p)) || text.charAt(p) == ':')) {
                        p++;
                    }
                }
                value = text.substring(vStart, p);
            }
            if (name.equalsIgnoreCase("branch")) {
                if (value == null || value.isEmpty()) {
                    throw new SipParseException(offset + nameStart, "empty Via branch");
                }
                branch = value;
            } else if (name.equalsIgnoreCase("received")) {
                received = value;
            } else if (name.equalsIgnoreCase("rport")) {
                if (value == null || value.isEmpty()) {
                    rport = 0;
                    rportEnd = nameEnd;
                } else {
                    try {
                        rport = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new SipParseException(offset + nameStart, "Via rport is not a number");
                    }
                    if (rport < 1 || rport > 65535) {
                        // RFC 3581 §3: a port number; 0 or beyond 65535 cannot be sent to.
                        throw new SipParseException(offset + nameStart, "Via rport " + value + " out of range 1-65535");
                    }
                }
            }
        }
        return new Via(text, transport, host, port, branch, received, rport, rportEnd);
    }

    /**
     * True when the branch is the RFC 3261 magic cookie followed by an identifier (§17.2.3 matching applies). The bare
     * cookie identifies nothing (RFC 4475 §3.2.1): such a request is matched the RFC 2543 way.
     */
    public boolean rfc3261Branch() {
        return branch != null && branch.length() > MAGIC_COOKIE.length() && branch.startsWith(MAGIC_COOKIE);
    }

    /** The sent-by host without IPv6 brackets. */
    public String hostAddress() {
        return SipUri.stripBrackets(host);
    }

    /** {@code host:port} of sent-by, as a transaction-matching key (§17.2.3). */
    public String sentBy() {
        return host.toLowerCase(Locale.ROOT) + ":" + (port < 0 ? 5060 : port);
    }

    /**
     * This value with {@code received} and a filled-in {@code rport} (RFC 3261 §18.2.1, RFC 3581 §4): the response
     * then goes back to where the request really came from.
     */
    public String withSource(String sourceIp, int sourcePort) {
        boolean needReceived = rport >= 0 || !SipUri.sameHost(hostAddress(), sourceIp);
        StringBuilder sb = new StringBuilder(text.length() + 40);
        boolean receivedWritten = false;
        boolean quoted = false;
        int start = 0;
        // A received or rport value the sender wrote itself is never trusted: both are (over)written with what the
        // packet says (§18.2.1, RFC 3581 §4), else the caller could steer the responses anywhere.
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ';';
            if (c == '"') {
                quoted = !quoted;
            }
            if (c != ';' || quoted && i < text.length()) {
                continue;
            }
            String segment = text.substring(start, i);
            int eq = segment.indexOf('=');
            String name = (eq < 0 ? segment : segment.substring(0, eq)).trim();
            if (start > 0 && name.equalsIgnoreCase("rport")) {
                segment = "rport=" + sourcePort;
            } else if (start > 0 && name.equalsIgnoreCase("received")) {
                // RFC 5118 §4.5: an IPv6 received value is written without brackets.
                segment = needReceived && !receivedWritten ? "received=" + sourceIp : null;
                receivedWritten = true;
            }
            if (segment != null) {
                sb.append(start > 0 ? ";" : "").append(segment);
            }
            start = i + 1;
        }
        if (needReceived && !receivedWritten) {
            sb.append(";received=").append(sourceIp);
        }
        return sb.toString();
    }

    private static boolean isWs(char c) {
        return c == ' ' || c == '\t';
    }

    private static boolean isTokenChar(char c) {
        return c < 128 && Ascii.isToken(c);
    }
}
