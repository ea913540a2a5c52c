package io.roundhouse.router.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.HostPort;
import io.roundhouse.shared.config.Require;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code admin:} section: where the admin API listens and the token its mutations need (docs/admin.md).
 *
 * <pre>
 * admin:
 *   listen: "127.0.0.1:9465"                   # host:port; IPv6 as "[::1]:9465"; default 127.0.0.1:9465
 *   token-file: /etc/roundhouse/admin-token    # or ROUNDHOUSE_ADMIN_TOKEN in the environment (which wins)
 * </pre>
 *
 * <p>Without the section the router serves no admin API. Without a token the API serves reads and refuses every
 * mutation. The token is never written in the YAML itself (there is no {@code admin.token} key, so it cannot end up
 * in a repository) and never printed: {@link #toString()} masks it.
 *
 * @param listen    where the admin listener binds
 * @param tokenFile file holding the token (a relative path is resolved against the config file's folder), or null
 * @param token     the bearer token of mutations, when configured
 */
public record AdminSettings(InetSocketAddress listen, Path tokenFile, Optional<String> token) {

    /** The environment variable holding the token; it wins over {@code token-file}. */
    public static final String TOKEN_ENV = "ROUNDHOUSE_ADMIN_TOKEN";
    /** Default {@code admin.listen}: loopback only. */
    public static final String DEFAULT_LISTEN = "127.0.0.1:9465";

    public AdminSettings {
        token = token == null ? Optional.empty() : token;
    }

    @JsonCreator
    static AdminSettings bind(@JsonProperty("listen") HostPort listen, @JsonProperty("token-file") String tokenFile) {
        String file = Require.optionalText("token-file", tokenFile, "a file name");
        return new AdminSettings((listen == null ? HostPort.parse(DEFAULT_LISTEN) : listen).toSocketAddress(),
                file == null ? null : Path.of(file), Optional.empty());
    }

    /**
     * These settings with the token resolved: {@code ROUNDHOUSE_ADMIN_TOKEN} from {@code env} wins, else the content
     * of {@code token-file} (resolved against {@code baseDir}), else none.
     */
    public AdminSettings withToken(Map<String, String> env, Path baseDir) {
        Optional<String> fromEnv = Optional.ofNullable(env.get(TOKEN_ENV)).map(String::strip).filter(t -> !t.isEmpty());
        if (fromEnv.isPresent() || tokenFile == null) {
            return new AdminSettings(listen, tokenFile, fromEnv);
        }
        Path path = baseDir.resolve(tokenFile);
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("token-file", path + " (expected: a readable file holding the token; "
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (text.isEmpty() || text.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new ConfigException("token-file", path + " (expected: one token of printable characters,"
                    + " without spaces)");
        }
        return new AdminSettings(listen, tokenFile, Optional.of(text));
    }

    /** Masks the token. */
    @Override
    public String toString() {
        return "AdminSettings[listen=" + listen + ", tokenFile=" + tokenFile + ", token="
                + (token.isPresent() ? "(set)" : "(none)") + "]";
    }
}
