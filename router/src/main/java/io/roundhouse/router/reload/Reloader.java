package io.roundhouse.router.reload;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.shared.config.ConfigException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live reload of the router's config file ({@code kill -HUP}, the admin API's {@code POST /api/reload}): re-reads and
 * validates the file, and when only reloadable parts changed (services, nodes and weights, health timings, the
 * dispatch settings read per call), hands the new config to the running dispatch, which swaps one reference per part
 * (Kamailio's {@code ds_reload} builds a new list and swaps it the same way). Calls in progress keep what they were
 * dispatched with.
 *
 * <p>A file that fails validation is refused with its reason, and so is a change that needs a restart (listen
 * addresses, Redis, the dispatch mode...): the running config stays whole. Reloads are serialized; each is logged
 * with what changed and counted ({@code roundhouse.config.reloads}, {@code roundhouse.config.reloads.failed}).
 */
public final class Reloader {

    private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

    private final Path file;
    private final Map<String, String> env;
    private final Consumer<RouterConfig> apply;
    private final Counter reloads;
    private final Counter failed;
    private RouterConfig running;

    /**
     * @param file    the config file the router was started with
     * @param env     the environment its secrets are read from
     * @param running the config the router runs with
     * @param apply   applies a validated config whose changes are all reloadable (live or round robin dispatch)
     */
    public Reloader(Path file, Map<String, String> env, RouterConfig running, Consumer<RouterConfig> apply,
                    MeterRegistry registry) {
        this.file = file;
        this.env = Map.copyOf(env);
        this.running = running;
        this.apply = apply;
        this.reloads = Counter.builder("roundhouse.config.reloads")
                .description("config reloads asked for (SIGHUP or the admin API), whatever their outcome")
                .register(registry);
        this.failed = Counter.builder("roundhouse.config.reloads.failed")
                .description("config reloads refused (invalid file, change that needs a restart) or failed")
                .register(registry);
    }

    /** Re-reads the file and applies it, or refuses it; never throws. */
    public synchronized ReloadResult reload() {
        reloads.increment();
        RouterConfig next;
        try {
            next = RouterConfig.load(file, env);
        } catch (ConfigException e) {
            return refused("invalid configuration: " + e.getMessage());
        }
        ConfigChanges changes = ConfigChanges.between(running, next);
        if (!changes.needRestart().isEmpty()) {
            return refused("needs a restart: " + String.join("; ", changes.needRestart()));
        }
        if (changes.applicable().isEmpty()) {
            LOG.info("config reload of {}: nothing changed", file);
            return ReloadResult.unchanged();
        }
        try {
            apply.accept(next);
        } catch (RuntimeException e) {
            return refused("could not apply: " + e.getMessage());
        }
        running = next;
        LOG.info("config reloaded from {}: {}", file, String.join("; ", changes.applicable()));
        return ReloadResult.applied(changes.applicable());
    }

    /** The config the router runs with now. */
    public synchronized RouterConfig running() {
        return running;
    }

    private ReloadResult refused(String reason) {
        failed.increment();
        LOG.warn("config reload of {} refused, the running config stays: {}", file, reason);
        return ReloadResult.refused(reason);
    }
}
