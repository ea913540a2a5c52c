package io.roundhouse.router.dispatch.view;

import java.util.Locale;

/**
 * Host and port of a node's SIP URI ({@code sip:10.0.0.1:5080}, {@code sip:[::1]:5080;transport=tcp},
 * {@code sip:node@host}); the port defaults to 5060, or 5061 for {@code sips:} (RFC 3261 §19.1.2).
 */
public record SipAddress(String host, int port) {

    public static SipAddress parse(String uri) {
        String u = uri.trim();
        String lower = u.toLowerCase(Locale.ROOT);
        int defaultPort;
        if (lower.startsWith("sips:")) {
            u = u.substring(5);
            defaultPort = 5061;
        } else if (lower.startsWith("sip:")) {
            u = u.substring(4);
            defaultPort = 5060;
        } else {
            throw new IllegalArgumentException(uri + " (expected: a sip: or sips: URI such as sip:10.0.0.1:5060)");
        }
        int at = u.lastIndexOf('@');
        if (at >= 0) {
            u = u.substring(at + 1);
        }
        int end = u.length();
        for (char c : new char[] {';', '?', '>'}) {
            int i = u.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        u = u.substring(0, end);
        String host;
        String portText = null;
        if (u.startsWith("[")) {
            int close = u.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(uri + " (expected: a closing ] after an IPv6 address)");
            }
            host = u.substring(1, close);
            if (close + 1 < u.length()) {
                if (u.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException(uri + " (expected: ':' and a port after ])");
                }
                portText = u.substring(close + 2);
            }
        } else {
            int colon = u.indexOf(':');
            host = colon < 0 ? u : u.substring(0, colon);
            portText = colon < 0 ? null : u.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException(uri + " (expected: a host)");
        }
        int port = defaultPort;
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(uri + " (expected: a port number 1..65535)", e);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(uri + " (expected: a port number 1..65535)");
            }
        }
        return new SipAddress(host, port);
    }
}
