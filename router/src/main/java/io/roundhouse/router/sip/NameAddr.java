package io.roundhouse.router.sip;

import java.util.Locale;

/**
 * A {@code name-addr} or {@code addr-spec} with header parameters, as in From, To, Contact, Route and Record-Route
 * (RFC 3261 §20.10, §25.1).
 *
 * @param uri    the URI text (inside the angle brackets when present)
 * @param params the header parameters after the URI, starting with {@code ;}, or ""
 */
public record NameAddr(String uri, String params) {

    /** What a router's own response names when a request's To has no URI it can copy (RFC 3323 §4.1.1.3). */
    private static final String ANONYMOUS = "sip:anonymous@anonymous.invalid";

    /**
     * Parses {@code [display-name] <uri> *(;param)} or {@code uri *(;param)}, where
     * {@code display-name = *(token LWS) / quoted-string}.
     */
    public static NameAddr parse(String value, int offset, String label) {
        int lt = indexOutsideQuotes(value, '<');
        if (lt >= 0) {
            checkDisplayName(value, lt, offset, label);
            int gt = value.indexOf('>', lt);
            if (gt < 0) {
                throw new SipParseException(offset + lt, label + ": missing '>'");
            }
            String uri = value.substring(lt + 1, gt);
            if (uri.isBlank()) {
                throw new SipParseException(offset + lt, label + ": empty URI");
            }
            if (isLws(uri.charAt(0)) || isLws(uri.charAt(uri.length() - 1))) {
                // RFC 4475 §3.1.2.14: a proxy that forwards the message as is must not accept them.
                throw new SipParseException(offset + lt, label + ": white space inside <> around the URI");
            }
            return new NameAddr(uri, value.substring(gt + 1).trim());
        }
        if (value.indexOf('"') >= 0) {
            throw new SipParseException(offset, closingQuote(value, value.indexOf('"')) < 0
                    ? label + ": unterminated quoted string" : label + ": display name without <URI>");
        }
        // addr-spec form: parameters after the URI belong to the header, not the URI (§20.10).
        int semi = value.indexOf(';');
        String uri = (semi < 0 ? value : value.substring(0, semi)).trim();
        if (uri.isEmpty() || uri.indexOf(':') < 0) {
            throw new SipParseException(offset, label + ": malformed URI");
        }
        if (uri.indexOf('?') >= 0 || uri.indexOf(',') >= 0) {
            // §20.10: a URI with a comma, question mark or semicolon must be a name-addr (RFC 4475 §3.1.2.13).
            throw new SipParseException(offset, label + ": a URI with '?' or ',' must be enclosed in <>");
        }
        return new NameAddr(uri, semi < 0 ? "" : value.substring(semi).trim());
    }

    /**
     * The URI of a header value for a response the router writes itself, even when the value does not parse: the part
     * in angle brackets, else the addr-spec before any parameter, else an anonymous URI. The router's own responses
     * must be well-formed whatever the request carried (RFC 4475 §3.1.2.6).
     */
    public static String uriForResponse(String value) {
        int lt = value.lastIndexOf('<');
        int gt = lt < 0 ? -1 : value.indexOf('>', lt);
        String uri = gt > lt + 1 ? value.substring(lt + 1, gt).trim()
                : value.substring(0, value.indexOf(';') < 0 ? value.length() : value.indexOf(';')).trim();
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            return ANONYMOUS;
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\') {
                return ANONYMOUS;
            }
        }
        return uri;
    }

    /** The {@code tag} parameter (§19.3), or null. */
    public String tag() {
        return param("tag");
    }

    /** A header parameter's value ("" for a flag), or null when absent. */
    public String param(String name) {
        return SipUri.findParam(params, name.toLowerCase(Locale.ROOT));
    }

    public SipUri sipUri() {
        return SipUri.parse(uri);
    }

    /**
     * {@code display-name = *(token LWS) / quoted-string} before the {@code <} at {@code lt} (RFC 4475 §3.1.2.15:
     * {@code Bell, Alexander <sip:...>} is not one). Octets above 0x7F are let through unquoted: phones send UTF-8
     * names that way, and they are no separator a parser could misread.
     */
    private static void checkDisplayName(String value, int lt, int offset, String label) {
        int start = 0;
        int end = lt;
        while (start < end && isLws(value.charAt(start))) {
            start++;
        }
        while (end > start && isLws(value.charAt(end - 1))) {
            end--;
        }
        if (start == end) {
            return;
        }
        if (value.charAt(start) == '"') {
            if (closingQuote(value, start) != end - 1) {
                throw new SipParseException(offset + start, label + ": malformed quoted display name");
            }
            return;
        }
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (!isLws(c) && c < 0x80 && !Ascii.isToken(c)) {
                throw new SipParseException(offset + i, label + ": display name with '" + (c < ' ' ? '?' : c)
                        + "' must be quoted");
            }
        }
    }

    /** Index of the quote closing the quoted string opened at {@code open}, quoted-pairs skipped, or -1. */
    private static int closingQuote(String s, int open) {
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static boolean isLws(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static int indexOutsideQuotes(String s, char c) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char x = s.charAt(i);
            if (quoted) {
                if (x == '\\') {
                    i++;
                } else if (x == '"') {
                    quoted = false;
                }
            } else if (x == '"') {
                quoted = true;
            } else if (x == c) {
                return i;
            }
        }
        return -1;
    }
}
