package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.services.ServiceRule;

/** Builds the strategy of a service rule; each rule gets its own instance, so counters are per service. */
public final class Strategies {

    private Strategies() {
    }

    public static Strategy forRule(ServiceRule rule, double leastLoadedChannelShare) {
        return switch (rule.strategy()) {
            case LEAST_LOADED -> new LeastLoaded(leastLoadedChannelShare);
            case WEIGHTED -> new Weighted();
            case ROUND_ROBIN -> new RoundRobin();
            case HASH -> new HashRing(rule.hashKey());
            case PRIORITY -> new Priority();
        };
    }
}
