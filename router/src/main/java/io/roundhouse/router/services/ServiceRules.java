package io.roundhouse.router.services;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The ordered {@code services:} list: the first rule that matches a call wins. */
public record ServiceRules(List<ServiceRule> rules) {

    public ServiceRules {
        rules = List.copyOf(rules);
    }

    /** The {@code services:} list as written: not empty, names unique (keys relative to the list). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ServiceRules bind(List<ServiceRule> rules) {
        if (rules.isEmpty()) {
            throw new ConfigException("", "empty (expected: at least one service rule)");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rules.size(); i++) {
            ServiceRule rule = Require.item("[" + i + "]", rules.get(i), "a service rule");
            if (!names.add(rule.name())) {
                throw new ConfigException("[" + i + "].name", rule.name()
                        + " (expected: a name not used by another rule)");
            }
        }
        return new ServiceRules(rules);
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

}
