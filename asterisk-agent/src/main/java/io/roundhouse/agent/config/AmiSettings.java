package io.roundhouse.agent.config;

import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code ami:} block: how the agent reaches Asterisk's manager interface.
 *
 * @param host           AMI host (loopback: the agent runs beside Asterisk)
 * @param port           AMI TCP port
 * @param username       AMI user; its write class must include {@code reporting} for the ConfBridge list actions
 * @param secret         AMI secret, from {@code secret}, {@code secret-file} or the environment ({@code AMI_SECRET})
 * @param resyncInterval how often a full snapshot corrects drift of the event-fed state
 * @param actionTimeout  how long one action (or one list action with its events) may take before the connection is
 *                       considered dead
 * @param reconnectMin   first reconnect delay; doubled after each failure
 * @param reconnectMax   cap of the reconnect delay
 */
public record AmiSettings(
        String host,
        int port,
        String username,
        String secret,
        Duration resyncInterval,
        Duration actionTimeout,
        Duration reconnectMin,
        Duration reconnectMax) {

    /** Environment variable that overrides {@code ami.secret} and {@code ami.secret-file}. */
    public static final String SECRET_ENV = "AMI_SECRET";

    /** Never prints the secret: settings end up in logs. */
    @Override
    public String toString() {
        return "AmiSettings[host=" + host + ", port=" + port + ", username=" + username + ", secret=***"
                + ", resyncInterval=" + resyncInterval + ", actionTimeout=" + actionTimeout
                + ", reconnectMin=" + reconnectMin + ", reconnectMax=" + reconnectMax + "]";
    }

    /**
     * The block as written, validated; the secret is resolved against the environment and the config file's folder
     * by {@link #resolve}.
     */
    record Block(String host, Integer port, String username, String secret, String secretFile,
                 Duration resyncInterval, Duration actionTimeout, Duration reconnectMin, Duration reconnectMax) {

        private static final Duration POSITIVE = Duration.ofMillis(1);

        Block {
            host = host == null ? "127.0.0.1" : Require.text("host", host, "a host name or address");
            port = Require.intIn("port", port, 5038, 1, 65535);
            username = Require.text("username", username, "the AMI user of manager.conf");
            if (secret != null && secretFile != null) {
                throw new ConfigException("secret", "both secret and secret-file are set (expected: one of them)");
            }
            secretFile = Require.optionalText("secret-file", secretFile, "a file holding the AMI secret");
            resyncInterval = Require.atLeast("resync-interval", resyncInterval, Duration.ofSeconds(30), POSITIVE);
            actionTimeout = Require.atLeast("action-timeout", actionTimeout, Duration.ofSeconds(5), POSITIVE);
            reconnectMin = Require.atLeast("reconnect-min", reconnectMin, Duration.ofMillis(500), POSITIVE);
            reconnectMax = Require.atLeast("reconnect-max", reconnectMax, Duration.ofSeconds(30), POSITIVE);
            if (reconnectMax.compareTo(reconnectMin) < 0) {
                throw new ConfigException("reconnect-max", reconnectMax + " (expected: at least reconnect-min, "
                        + reconnectMin + ")");
            }
        }

        /**
         * The settings with their secret: {@code AMI_SECRET} when set, else {@code secret}, else the content of
         * {@code secret-file} (relative to {@code baseDir}, the config file's folder). Errors are keyed {@code ami.*}.
         */
        AmiSettings resolve(Map<String, String> env, Path baseDir) {
            return new AmiSettings(host, port, username, secret(env, baseDir), resyncInterval, actionTimeout,
                    reconnectMin, reconnectMax);
        }

        private String secret(Map<String, String> env, Path baseDir) {
            String fromEnv = env.get(SECRET_ENV);
            if (fromEnv != null && !fromEnv.isEmpty()) {
                return fromEnv;
            }
            if (secret != null) {
                return Require.text("ami.secret", secret, "the AMI secret");
            }
            if (secretFile != null) {
                Path path = baseDir.resolve(secretFile);
                try {
                    String text = Files.readString(path, StandardCharsets.UTF_8).strip();
                    if (text.isEmpty()) {
                        throw new ConfigException("ami.secret-file", path + " is empty (expected: the AMI secret)");
                    }
                    return text;
                } catch (IOException e) {
                    throw new ConfigException("ami.secret-file", "cannot read " + path + ": " + e.getMessage(), e);
                }
            }
            throw new ConfigException("ami.secret", "missing (expected: ami.secret, ami.secret-file, or the"
                    + " environment variable " + SECRET_ENV + ")");
        }
    }
}
