package io.roundhouse.agent.state;

import java.util.Map;
import java.util.Set;

/**
 * The readiness of a node configured without {@code ari:}: no Stasis application can run there, so it registers
 * none, hosts no ARI conference and accepts no service. Publishing that is the truth, not a placeholder: routers
 * then never send it a call that needs an application.
 */
public final class NoServices implements ServiceReadiness {

    @Override
    public Set<String> registeredApps() {
        return Set.of();
    }

    @Override
    public Map<String, Integer> rooms() {
        return Map.of();
    }

    @Override
    public Set<String> acceptingServices() {
        return Set.of();
    }
}
