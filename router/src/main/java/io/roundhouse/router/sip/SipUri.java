package io.roundhouse.router.sip;

import io.netty.util.NetUtil;
import java.util.Arrays;
import java.util.Locale;

/**
 * The parts of a SIP or SIPS URI a proxy routes on (RFC 3261 §19.1): user, host, port and the {@code transport},
 * {@code lr} and {@code maddr} parameters. Other schemes (tel:, urn:) parse with a null host.
 *
 * @param scheme lower case, e.g. {@code sip}
 * @param user   the user part, or "" when none
 * @param host   the host as written (IPv6 with brackets), or null for a non-SIP URI
 * @param port   the port, or -1 when absent
 * @param params  the URI parameters starting with {@code ;}, or ""
 * @param headers the URI headers after {@code ?} (§19.1.1), or ""
 * @param text    the URI as written
 */
public record SipUri(String scheme, String user, String host, int port, String params, String headers,
                     String text) {

    /** Parses a URI; throws {@link SipParseException} (offset -1) for a malformed SIP URI. */
    public static SipUri parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new SipParseException(-1, "URI without scheme: " + text);
        }
        String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("sip") && !scheme.equals("sips")) {
            return new SipUri(scheme, "", null, -1, "", "", text);
        }
        String rest = text.substring(colon + 1);
        // The user part may itself hold '?' (user-unreserved, RFC 4475 §3.1.1.2): headers start after the host.
        int at = rest.lastIndexOf('@');
        int question = rest.indexOf('?', at + 1);
        String headers = "";
        if (question >= 0) {
            headers = rest.substring(question + 1);
            rest = rest.substring(0, question);
        }
        String user = "";
        if (at >= 0) {
            user = rest.substring(0, at);
            int userParams = user.indexOf(':');
            if (userParams >= 0) {
                user = user.substring(0, userParams); // drop ":password" (§19.1.1)
            }
            rest = rest.substring(at + 1);
        }
        int hostEnd;
        if (rest.startsWith("[")) {
            hostEnd = rest.indexOf(']');
            if (hostEnd < 0) {
                throw new SipParseException(-1, "unterminated IPv6 reference in URI: " + text);
            }
            hostEnd++;
        } else {
            hostEnd = 0;
            while (hostEnd < rest.length() && rest.charAt(hostEnd) != ':' && rest.charAt(hostEnd) != ';') {
                hostEnd++;
            }
        }
        String host = rest.substring(0, hostEnd);
        if (host.isEmpty()) {
            throw new SipParseException(-1, "URI without host: " + text);
        }
        int port = -1;
        int p = hostEnd;
        if (p < rest.length() && rest.charAt(p) == ':') {
            int start = ++p;
            while (p < rest.length() && Character.isDigit(rest.charAt(p))) {
                p++;
            }
            if (p == start || p - start > 5) {
                throw new SipParseException(-1, "malformed port in URI: " + text);
            }
            port = Integer.parseInt(rest.substring(start, p));
            if (port > 65535) {
                throw new SipParseException(-1, "port out of range in URI: " + text);
            }
        }
        String params = rest.substring(p);
        if (!params.isEmpty() && params.charAt(0) != ';') {
            throw new SipParseException(-1, "unexpected '" + params.charAt(0) + "' after host in URI: " + text);
        }
        return new SipUri(scheme, user, host, port, params, headers, text);
    }

    public boolean isSip() {
        return host != null;
    }

    /** The host without IPv6 brackets. */
    public String hostAddress() {
        return stripBrackets(host);
    }

    /** The port, or the default of the scheme (5060, 5061 for sips). */
    public int portOrDefault() {
        return port >= 0 ? port : scheme.equals("sips") ? 5061 : 5060;
    }

    /** The {@code transport} parameter, lower case, or null. */
    public String transportParam() {
        String t = param("transport");
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    /** True when the URI has the {@code lr} parameter: the element is a loose router (§19.1.1). */
    public boolean looseRouter() {
        return param("lr") != null;
    }

    /** A URI parameter's value ("" for a flag), or null when absent. */
    public String param(String name) {
        return findParam(params, name.toLowerCase(Locale.ROOT));
    }

    static String findParam(String params, String lowerName) {
        int p = 0;
        int n = params.length();
        while (p < n) {
            int semi = params.indexOf(';', p);
            if (semi < 0) {
                return null;
            }
            int next = params.indexOf(';', semi + 1);
            String item = params.substring(semi + 1, next < 0 ? n : next).trim();
            int eq = item.indexOf('=');
            String name = (eq < 0 ? item : item.substring(0, eq)).trim();
            if (name.equalsIgnoreCase(lowerName)) {
                return eq < 0 ? "" : item.substring(eq + 1).trim();
            }
            if (next < 0) {
                return null;
            }
            p = next;
        }
        return null;
    }

    /** The host without IPv6 brackets. */
    public static String stripBrackets(String host) {
        return host != null && host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
                : host;
    }

    /** True when two hosts name the same address: IP literals compared as addresses, names case-insensitively. */
    public static boolean sameHost(String a, String b) {
        a = stripBrackets(a);
        b = stripBrackets(b);
        if (a.equalsIgnoreCase(b)) {
            return true;
        }
        byte[] x = NetUtil.createByteArrayFromIpAddressString(a);
        byte[] y = NetUtil.createByteArrayFromIpAddressString(b);
        return x != null && y != null && Arrays.equals(x, y);
    }
}
