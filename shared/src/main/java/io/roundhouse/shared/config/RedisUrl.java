package io.roundhouse.shared.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A parsed Redis URL: {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS.
 * {@link #toString()} never shows the password.
 *
 * @param host     host name or address (IPv6 without brackets)
 * @param port     TCP port, 6379 when absent
 * @param user     ACL user, or null for the default user
 * @param password password, or null without authentication
 * @param database database index, 0 when absent
 * @param tls      true for {@code rediss://}
 */
public record RedisUrl(String host, int port, String user, String password, int database, boolean tls) {

    public static final int DEFAULT_PORT = 6379;

    /** Parses {@code url}; a bad one throws {@link ConfigException} naming {@code key} and the reason. */
    public static RedisUrl parse(String key, String url) {
        if (url == null || url.isBlank()) {
            throw new ConfigException(key, "empty (expected: redis://host:port/db or rediss://...)");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            // The message of URISyntaxException quotes the input, which may hold a password: give only the position.
            throw new ConfigException(key, "not a URL, " + e.getReason() + " at index " + e.getIndex()
                    + " (expected: redis://host:port/db; percent-encode special characters of the password)");
        }
        String scheme = uri.getScheme();
        boolean tls;
        if ("redis".equalsIgnoreCase(scheme)) {
            tls = false;
        } else if ("rediss".equalsIgnoreCase(scheme)) {
            tls = true;
        } else {
            throw new ConfigException(key, "scheme " + scheme + " (expected: redis or rediss)");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ConfigException(key, "no host in " + redact(uri) + " (expected: redis://host:port/db)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new ConfigException(key, "port " + port + " (expected: 1..65535)");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                // redis://secret@host is how several clients spell a password-only URL.
                password = userInfo;
            } else {
                user = colon == 0 ? null : userInfo.substring(0, colon);
                password = userInfo.substring(colon + 1);
            }
            if (password != null && password.isEmpty()) {
                password = null;
            }
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            String db = path.substring(1);
            try {
                database = Integer.parseInt(db);
            } catch (NumberFormatException e) {
                throw new ConfigException(key, "database '" + db + "' (expected: a number, e.g. /0)");
            }
            if (database < 0) {
                throw new ConfigException(key, "database " + database + " (expected: 0 or more)");
            }
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ConfigException(key, "query or fragment in " + redact(uri)
                    + " (expected: none; percent-encode '?' and '#' in the password)");
        }
        return new RedisUrl(host, port, user, password, database, tls);
    }

    /** The same URL with {@code password} (taken from the environment, for example) in place of the one it had. */
    public RedisUrl withPassword(String newPassword) {
        return new RedisUrl(host, port, user, newPassword, database, tls);
    }

    /** The full URL, password included and percent-encoded: for handing to a client, never for logs. */
    public String toUrlWithSecret() {
        return format(true);
    }

    /** The URL with the password masked, for logs and error messages. */
    @Override
    public String toString() {
        return format(false);
    }

    private String format(boolean withSecret) {
        StringBuilder b = new StringBuilder(tls ? "rediss://" : "redis://");
        if (user != null || password != null) {
            if (user != null) {
                b.append(encode(user));
            }
            if (password != null) {
                b.append(':').append(withSecret ? encode(password) : "***");
            }
            b.append('@');
        }
        b.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port).append('/').append(database);
        return b.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Without the password: when Java cannot parse the authority (e.g. '_' in the host) it has no user info. */
    private static String redact(URI uri) {
        return SecretMask.mask(uri.toString());
    }
}
