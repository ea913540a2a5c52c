package io.roundhouse.shared.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.net.InetSocketAddress;

/**
 * A {@code host:port} written in a config ({@code metrics.listen}, {@code admin.listen}): IPv6 in brackets,
 * {@code [::1]:9464}; port 0 picks a free port.
 *
 * @param host a host name or IP literal (IPv6 without brackets)
 * @param port 0..65535
 */
public record HostPort(String host, int port) {

    private static final String EXPECTED = " (expected: host:port, e.g. 127.0.0.1:9464 or [::1]:9464)";

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new ConfigException("", "no host" + EXPECTED);
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("", "port " + port + " (expected: 0..65535)");
        }
    }

    /** Parses {@code host:port}; errors are keyed relative to the value (see {@link ConfigException}). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static HostPort parse(String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new ConfigException("", "'" + t + "'" + EXPECTED);
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new ConfigException("", "'" + t + "'" + EXPECTED);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("", "'" + t + "' (expected: a port number after the last ':')");
        }
        return new HostPort(host, port);
    }

    /** The address to bind (a host name is resolved now). */
    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
