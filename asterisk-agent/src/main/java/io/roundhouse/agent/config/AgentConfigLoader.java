package io.roundhouse.agent.config;

import io.roundhouse.shared.config.ConfigBinder;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.HostPort;
import io.roundhouse.shared.config.RedisSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the agent's YAML file into a validated {@link AgentConfig}. Every error is a {@link ConfigException} naming the
 * key as a dotted path and saying what was expected, so the operator can fix the file without reading code.
 *
 * <p>The whole file is bound at once by the shared {@link ConfigBinder} into {@link AgentFile} (kebab-case keys,
 * unknown keys refused with their path, durations with their unit, validation in the records' constructors); then
 * the environment's overrides are applied ({@code REDIS_URL}/{@code REDIS_PASSWORD} by {@link RedisSettings},
 * {@code AMI_SECRET}, {@code ARI_PASSWORD}) and the secret files read.
 *
 * <p>The AMI secret never needs to be in the file: {@code ami.secret-file} names a file holding it (relative paths
 * are resolved against the config file's folder), and the environment variable {@code AMI_SECRET}, when set,
 * overrides both (the usual container convention).
 */
public final class AgentConfigLoader {

    private final Map<String, String> env;

    /** @param env the process environment (injected so tests can set {@code AMI_SECRET}) */
    public AgentConfigLoader(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public AgentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage(), e);
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, base == null ? Path.of(".") : base);
    }

    /** Parses YAML text; {@code baseDir} resolves relative file names such as {@code ami.secret-file}. */
    public AgentConfig parse(String yaml, Path baseDir) {
        AgentFile file = new ConfigBinder().bind(yaml, AgentFile.class);
        return new AgentConfig(file.node(), file.redis().withEnvironment(env), file.ami().resolve(env, baseDir),
                file.publish(), file.drain(), Optional.ofNullable(file.ari()).map(ari -> ari.resolve(env::get)),
                file.services(), file.metrics().endpoint().map(HostPort::toSocketAddress));
    }
}
