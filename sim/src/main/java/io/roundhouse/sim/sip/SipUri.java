package io.roundhouse.sim.sip;

import java.net.InetSocketAddress;

/**
 * The address part of a SIP URI (RFC 3261 §19.1.1), from a bare URI or a name-addr ({@code "x" <sip:u@h:p;lr>}).
 *
 * @param user      the user part, or {@code ""}
 * @param host      host (IPv6 without brackets)
 * @param port      the port, 5060 when absent
 * @param loose     whether the URI carries {@code lr} (a loose router, §16.12)
 */
public record SipUri(String user, String host, int port, boolean loose) {

    public static SipUri parse(String text) {
        String uri = text;
        int lt = uri.indexOf('<');
        if (lt >= 0) {
            uri = uri.substring(lt + 1, uri.indexOf('>', lt));
        }
        int colon = uri.indexOf(':');
        if (colon < 0 || !uri.substring(0, colon).toLowerCase().startsWith("sip")) {
            throw new IllegalArgumentException("not a SIP URI: " + text);
        }
        String rest = uri.substring(colon + 1);
        String params = "";
        int semi = rest.indexOf(';');
        if (semi >= 0) {
            params = rest.substring(semi);
            rest = rest.substring(0, semi);
        }
        int q = rest.indexOf('?');
        if (q >= 0) {
            rest = rest.substring(0, q);
        }
        String user = "";
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            rest = rest.substring(at + 1);
        }
        String host;
        int port = 5060;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            host = rest.substring(1, close);
            if (rest.length() > close + 2 && rest.charAt(close + 1) == ':') {
                port = Integer.parseInt(rest.substring(close + 2));
            }
        } else {
            int pc = rest.indexOf(':');
            host = pc < 0 ? rest : rest.substring(0, pc);
            if (pc >= 0) {
                port = Integer.parseInt(rest.substring(pc + 1));
            }
        }
        boolean loose = (params + ";").toLowerCase().contains(";lr;") || (params + ";").toLowerCase().contains(";lr=");
        return new SipUri(user, host, port, loose);
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }
}
