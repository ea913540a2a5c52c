package io.roundhouse.router.admin;

import io.roundhouse.router.health.ProbeResult;
import java.time.Instant;
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
 * @param lastProbe          the latest probe that ended, null before the first (or without probing)
 * @param channels           live channels; null when unknown: no agent, or its agent cannot count them (status
 *                           {@code unreachable}: Asterisk is down or restarting), never a 0 it does not know
 * @param maxChannels        channel capacity
 * @param cpu                smoothed CPU percent; null when unknown (no agent, unreachable, or the agent's first seconds)
 * @param apps               Stasis applications registered now
 * @param accepting          services it takes new calls for, per its admission thresholds
 * @param rooms              conference rooms it hosts with their participants
 * @param full               services it is marked full for
 * @param updatedAgeSeconds  age of its agent's last publication
 * @param services           per service: the score dispatch would give it now, or why it would not take a call
 */
public record NodeReport(String id, String uri, String state, boolean configured, int weight, String status,
                         String control, String health, Integer probeMisses, Integer probeGoods,
                         LastProbe lastProbe, Integer channels,
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

    /**
     * The latest OPTIONS probe of the node that ended.
     *
     * @param at             when it ended, ISO-8601 UTC
     * @param ageSeconds     how long ago
     * @param result         {@code ok} (a reply of any status but 408) or {@code missed}
     * @param status         the reply's status, null when none came
     * @param latencySeconds from sending to the reply, null when none came
     * @param detail         what happened ({@code status 200}, {@code no reply within 2000ms}, ...)
     */
    public record LastProbe(String at, double ageSeconds, String result, Integer status, Double latencySeconds,
                            String detail) {

        /** From the prober's record, dated by the wall clock now ({@code nowMillis}). */
        static LastProbe of(ProbeResult r, long nowMillis) {
            long ageMillis = r.age().toMillis();
            return new LastProbe(Instant.ofEpochMilli(nowMillis - ageMillis).toString(), ageMillis / 1000.0,
                    r.good() ? "ok" : "missed", r.status() == 0 ? null : r.status(),
                    r.latency() == null ? null : r.latency().toNanos() / 1_000_000 / 1000.0, r.detail());
        }
    }
}
