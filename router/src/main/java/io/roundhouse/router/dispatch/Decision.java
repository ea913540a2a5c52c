package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.strategy.Ranked;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One dispatch decision, explained: what the call was, where it went, why, and what else was considered.
 *
 * @param callId       the call's Call-ID
 * @param service      the matched service, "-" when none matched
 * @param key          the affinity key, "-" when none
 * @param node         the chosen node, "-" when none
 * @param reason       why (see docs/dispatch.md, "Decision reasons")
 * @param attempt      1 for the first node, then one more per redispatch
 * @param candidates   the ranked eligible nodes with their scores
 * @param scoreMeaning how to read the scores
 * @param excluded     nodes left out, with why (draining, full, down, tried, ...)
 * @param atMillis     wall-clock time of the decision
 */
public record Decision(String callId, String service, String key, String node, String reason, int attempt,
                       List<Ranked> candidates, String scoreMeaning, Map<String, String> excluded, long atMillis) {

    public Decision {
        candidates = List.copyOf(candidates);
        excluded = Map.copyOf(excluded);
    }

    /** The log line, also the entry kept in Redis: {@code key=value} words, readable with {@code redis-cli}. */
    public String line() {
        String ranked = candidates.stream()
                .map(r -> r.nodeId() + ":" + String.format(Locale.ROOT, "%.3f", r.score()))
                .collect(Collectors.joining(",", "[", "]"));
        String out = excluded.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(",", "[", "]"));
        return "call-id=" + callId + " service=" + service + " key=" + key + " node=" + node + " reason=" + reason
                + " attempt=" + attempt + " candidates=" + ranked + (candidates.isEmpty() ? "" : " score=\""
                + scoreMeaning + "\"") + " excluded=" + out + " at=" + atMillis;
    }
}
