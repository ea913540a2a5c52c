package io.roundhouse.agent.services;

import io.roundhouse.shared.config.ConfigException;
import java.util.Map;
import java.util.TreeSet;

/** The services the agent can run, by application name. A new service is one class and one line here. */
public final class ServiceCatalog {

    /** Builds a service from its settings; throws {@link ConfigException} on a bad option. */
    @FunctionalInterface
    public interface Factory {
        StasisService create(ServiceSettings settings, ServiceContext context);
    }

    private static final Map<String, Factory> BUILT_IN = Map.of(
            "Conference", Conference::new,
            "Echo", Echo::new);

    private final Map<String, Factory> factories;

    public ServiceCatalog() {
        this(BUILT_IN);
    }

    /** A catalog with other services (tests use it to run a service that fails on purpose). */
    public ServiceCatalog(Map<String, Factory> factories) {
        this.factories = Map.copyOf(factories);
    }

    /** The service for an application listed in {@code ari.apps}; {@code key} names that list entry in errors. */
    StasisService create(String key, ServiceSettings settings, ServiceContext context) {
        Factory factory = factories.get(settings.name());
        if (factory == null) {
            throw new ConfigException(key, settings.name() + " (expected one of: "
                    + String.join(", ", new TreeSet<>(factories.keySet())) + ")");
        }
        return factory.create(settings, context);
    }
}
