package io.roundhouse.router.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.roundhouse.router.dispatch.config.YamlSection;
import io.roundhouse.shared.config.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code admin:} block of the router's YAML: where the admin API listens and the token its mutations need.
 *
 * <pre>
 * admin:
 *   listen: "127.0.0.1:9465"                   # host:port; IPv6 as "[::1]:9465"; default 127.0.0.1:9465
 *   token-file: /etc/roundhouse/admin-token    # or ROUNDHOUSE_ADMIN_TOKEN in the environment (which wins)
 * </pre>
 *
 * <p>Without the block the router serves no admin API. Without a token the API serves reads and refuses every
 * mutation: a token is never written in the YAML itself, so it cannot end up in a repository.
 *
 * @param listen where the admin listener binds
 * @param token  the bearer token of mutations, when configured
 */
public record AdminSettings(InetSocketAddress listen, Optional<String> token) {

    /** The environment variable holding the token. */
    public static final String TOKEN_ENV = "ROUNDHOUSE_ADMIN_TOKEN";
    /** Default {@code admin.listen}: loopback only. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:9465";

    @Override
    public String toString() {
        return "AdminSettings[listen=" + listen + ", token=" + (token.isPresent() ? "(set)" : "(none)") + "]";
    }

    /** The block's settings, or empty when the block is absent. */
    public static Optional<AdminSettings> fromConfig(JsonNode adminBlock) {
        return fromConfig(adminBlock, System.getenv());
    }

    /** As {@link #fromConfig(JsonNode)} with an explicit environment (tests). */
    public static Optional<AdminSettings> fromConfig(JsonNode adminBlock, Map<String, String> env) {
        if (adminBlock == null || adminBlock.isMissingNode() || adminBlock.isNull()) {
            return Optional.empty();
        }
        YamlSection s = YamlSection.of("admin", adminBlock).allowOnly(Set.of("listen", "token-file"));
        InetSocketAddress listen = address("admin.listen", s.text("listen").orElse(DEFAULT_LISTEN));
        Optional<String> token = Optional.ofNullable(env.get(TOKEN_ENV)).map(String::strip).filter(t -> !t.isEmpty());
        if (token.isEmpty() && s.text("token-file").isPresent()) {
            token = Optional.of(readToken(s.text("token-file").get()));
        }
        return Optional.of(new AdminSettings(listen, token));
    }

    private static String readToken(String file) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("admin.token-file", file + " (expected: a readable file holding the token; "
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (text.isEmpty() || text.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new ConfigException("admin.token-file", file + " (expected: one token of printable characters,"
                    + " without spaces)");
        }
        return text;
    }

    static InetSocketAddress address(String key, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ConfigException(key, text + " (expected: host:port, e.g. " + DEFAULT_LISTEN + ")");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(key, text + " (expected: a port number after the last ':')", e);
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(key, text + " (expected: port 0..65535)");
        }
        return new InetSocketAddress(host, port);
    }
}
