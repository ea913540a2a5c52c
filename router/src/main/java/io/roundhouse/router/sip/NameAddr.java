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

    /** Parses {@code [display-name] <uri> *(;param)} or {@code uri *(;param)}. */
    public static NameAddr parse(String value, int offset, String label) {
        int lt = indexOutsideQuotes(value, '<');
        if (lt >= 0) {
            int gt = value.indexOf('>', lt);
            if (gt < 0) {
                throw new SipParseException(offset + lt, label + ": missing '>'");
            }
            String uri = value.substring(lt + 1, gt).trim();
            if (uri.isEmpty()) {
                throw new SipParseException(offset + lt, label + ": empty URI");
            }
            return new NameAddr(uri, value.substring(gt + 1).trim());
        }
        if (value.indexOf('"') >= 0) {
            throw new SipParseException(offset, label + ": display name without <URI>");
        }
        // addr-spec form: parameters after the URI belong to the header, not the URI (§20.10).
        int semi = value.indexOf(';');
        String uri = (semi < 0 ? value : value.substring(0, semi)).trim();
        if (uri.isEmpty() || uri.indexOf(':') < 0) {
            throw new SipParseException(offset, label + ": malformed URI");
        }
        return new NameAddr(uri, semi < 0 ? "" : value.substring(semi).trim());
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
