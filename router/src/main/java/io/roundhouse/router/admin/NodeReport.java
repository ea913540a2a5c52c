package io.roundhouse.router.admin;

import java.util.List;
import java.util.Map;

/**
 * One node as the router sees it now, for {@code GET /api/nodes}, the status page and {@code roundhouse nodes}.
 * Fields a router cannot know (no agent, no probing) are null.
 *
 * @param id                 node id
 * @param uri                where its calls go
 * @param state              {@code ready}, {@code draining}, {@code disabled} or {@code down} (probing holds it down)
 * @param configured         named in the config's {@code nodes:}
 * @param weight             static weight
 * @param status             status its agent publishes, null without an agent
 * @param control            the operator's control in Redis, null when none
 * @param health             {@code up}, {@code down} or {@code unknown} from OPTIONS probing
 * @param probeMisses        consecutive missed probes
 * @param probeGoods         consecutive good probe replies
 * @param channels           live channels
 * @param maxChannels        channel capacity
 * @param cpu                smoothed CPU percent
 * @param apps               Stasis applications registered now
 * @param accepting          services it takes new calls for, per its admission thresholds
 * @param rooms              conference rooms it hosts with their participants
 * @param full               services it is marked full for
 * @param updatedAgeSeconds  age of its agent's last publication
 * @param services           per service: the score dispatch would give it now, or why it would not take a call
 */
public record NodeReport(String id, String uri, String state, boolean configured, int weight, String status,
                         String control, String health, Integer probeMisses, Integer probeGoods, Integer channels,
                         Integer maxChannels, Double cpu, List<String> apps, List<String> accepting,
                         Map<String, Integer> rooms, List<String> full, Double updatedAgeSeconds,
                         List<ServiceScore> services) {

    /**
     * @param service      the service
     * @param score        its strategy's score, null when the node is not eligible
     * @param scoreMeaning how to read the score
     * @param whyNot       why the node would not take a new call of the service, null when it would
     */
    public record ServiceScore(String service, Double score, String scoreMeaning, String whyNot) {}
}
