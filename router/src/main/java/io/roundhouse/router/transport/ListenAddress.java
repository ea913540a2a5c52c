package io.roundhouse.router.transport;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.roundhouse.shared.config.ConfigException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One {@code sip.listen} entry: {@code udp:127.0.0.1:5060}, {@code tcp:[::1]:5060}, {@code tls:0.0.0.0:5061},
 * {@code ws:127.0.0.1:8080}, {@code wss:0.0.0.0:8443}. Port 0
 * picks a free port, shared by
 * every transport listening on the same host with port 0.
 *
 * @param transport the transport
 * @param host      an IP literal (IPv6 without brackets) or a host name
 * @param port      0..65535
 */
public record ListenAddress(Transport transport, String host, int port) {

    /** Parses {@code transport:host:port}; errors are keyed relative to the entry (see {@link ConfigException}). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static ListenAddress parse(String text) {
        String key = "";
        String expected = " (expected: udp:HOST:PORT, tcp:HOST:PORT, tls:HOST:PORT, ws:HOST:PORT or wss:HOST:PORT,"
                + " IPv6 as udp:[::1]:5060)";
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new ConfigException(key, "'" + text + "'" + expected);
        }
        Transport transport = Transport.fromName(text.substring(0, colon))
                .orElseThrow(() -> new ConfigException(key, "unknown transport in '" + text + "'" + expected));
        String rest = text.substring(colon + 1);
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new ConfigException(key, "bad IPv6 address in '" + text + "'" + expected);
            }
            host = rest.substring(1, close);
            portText = rest.substring(close + 2);
        } else {
            int last = rest.lastIndexOf(':');
            if (last <= 0 || rest.indexOf(':') != last) {
                throw new ConfigException(key, "missing host or port in '" + text + "'" + expected);
            }
            host = rest.substring(0, last);
            portText = rest.substring(last + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new ConfigException(key, "port '" + portText + "' is not a number" + expected);
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, "port " + port + " out of range (expected: 0..65535)");
        }
        return new ListenAddress(transport, host, port);
    }

    /**
     * The ports for new calls among {@code listen} once bound ({@link ListenPoint#portsForNewCalls(List)}, by the same
     * rule): known before binding, for the door and for the configuration's checks.
     */
    public static List<ListenAddress> portsForNewCalls(List<ListenAddress> listen) {
        return ListenPoint.portsForNewCalls(listen, ListenAddress::transport,
                a -> new InetSocketAddress(a.host(), 0).getAddress() instanceof Inet6Address);
    }

    @Override
    public String toString() {
        return transport.lowerName() + ":" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
