package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.strategy.Ranked;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One dispatch decision, explained: what the call was, where it went, why, and what else was considered.
 *
 * @param callId       the call's Call-ID
 * @param service      the matched service, "-" when none matched
 * @param key          the affinity key, "-" when none
 * @param node         the chosen node, "-" when none
 * @param reason       why (see docs/dispatch.md, "Decision reasons")
 * @param attempt      1 for the first node, then one more per redispatch
 * @param candidates   the ranked eligible nodes with their scores: the first of the ranking (as many as a call may
 *                     try, and a few more), not every node of a large farm
 * @param scoreMeaning how to read the scores
 * @param excluded     nodes left out, with why (draining, full, down, tried, ...)
 * @param atMillis     wall-clock time of the decision
 * @param failed       the attempt this one follows, as {@code <node>:<status>} ({@code timeout} for no answer);
 *                     "-" for a first attempt
 */
public record Decision(String callId, String service, String key, String node, String reason, int attempt,
                       List<Ranked> candidates, String scoreMeaning, Map<String, String> excluded, long atMillis,
                       String failed) {

    public Decision {
        candidates = List.copyOf(candidates);
        // A dispatcher's exclusions share the view's part: copying it would cost every call the size of the farm.
        excluded = excluded instanceof Exclusions e ? e.frozen() : Map.copyOf(excluded);
    }

    /** A decision that follows no failed attempt. */
    public Decision(String callId, String service, String key, String node, String reason, int attempt,
                    List<Ranked> candidates, String scoreMeaning, Map<String, String> excluded, long atMillis) {
        this(callId, service, key, node, reason, attempt, candidates, scoreMeaning, excluded, atMillis, "-");
    }

    /**
     * The log line, also the entry kept in Redis: {@code key=value} words, readable with {@code redis-cli}, ending
     * with the router that decided and the time in ISO-8601 (UTC, milliseconds).
     */
    public String line(String router) {
        StringBuilder b = new StringBuilder(200 + 24 * (candidates.size() + excluded.size()));
        b.append("call-id=").append(callId).append(" service=").append(service).append(" key=").append(key)
                .append(" node=").append(node).append(" reason=").append(reason).append(" attempt=").append(attempt);
        if (!"-".equals(failed)) {
            b.append(" failed=").append(failed);
        }
        b.append(" candidates=[");
        for (int i = 0; i < candidates.size(); i++) {
            Ranked r = candidates.get(i);
            b.append(i == 0 ? "" : ",").append(r.nodeId()).append(':');
            appendScore(b, r.score());
        }
        b.append(']');
        if (!candidates.isEmpty()) {
            b.append(" score=\"").append(scoreMeaning).append('"');
        }
        b.append(" excluded=[");
        String sep = "";
        for (Map.Entry<String, String> e : excluded.isEmpty() ? Map.<String, String>of().entrySet()
                : new TreeMap<>(excluded).entrySet()) {
            b.append(sep).append(e.getKey()).append(':').append(e.getValue());
            sep = ",";
        }
        return b.append("] router=").append(router).append(" at=").append(Instant.ofEpochMilli(atMillis)).toString();
    }

    /**
     * Three decimals, as {@code %.3f} prints them (half-up on the shortest decimal form of the double, which is what
     * {@link BigDecimal#valueOf(double)} starts from), without a Formatter per score: one line per call.
     */
    static void appendScore(StringBuilder b, double score) {
        if (!Double.isFinite(score)) {
            b.append(String.format(Locale.ROOT, "%.3f", score));
            return;
        }
        if (Math.copySign(1.0, score) < 0) {
            b.append('-'); // as Formatter does, even for -0.000
        }
        b.append(BigDecimal.valueOf(Math.abs(score)).setScale(3, RoundingMode.HALF_UP).toPlainString());
    }
}
