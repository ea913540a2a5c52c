package io.roundhouse.router.services;

import java.util.Optional;

/**
 * What a call is for, once classified.
 *
 * @param rule        the first rule that matched
 * @param appData     the rendered X-Exec-App-Data
 * @param affinityKey the rendered placement key, when the rule has one
 */
public record ServiceMatch(ServiceRule rule, String appData, Optional<String> affinityKey) {

    public String service() {
        return rule.name();
    }

    public String app() {
        return rule.app();
    }
}
