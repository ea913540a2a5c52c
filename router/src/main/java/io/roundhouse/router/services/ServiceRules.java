package io.roundhouse.router.services;

import io.roundhouse.router.dispatch.CallContext;
import java.util.List;
import java.util.Optional;

/** The ordered {@code services:} list: the first rule that matches a call wins. */
public record ServiceRules(List<ServiceRule> rules) {

    public ServiceRules {
        rules = List.copyOf(rules);
    }

    /** The call's service, or empty when no rule matches (the caller then gets 503). */
    public Optional<ServiceMatch> classify(CallContext call) {
        for (ServiceRule rule : rules) {
            Optional<ServiceMatch> m = rule.match(call);
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }

    /** Every node id named in a rule's pool (checked against the known nodes at load). */
    public java.util.Set<String> namedNodes() {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        rules.forEach(r -> ids.addAll(r.nodes()));
        return ids;
    }
}
