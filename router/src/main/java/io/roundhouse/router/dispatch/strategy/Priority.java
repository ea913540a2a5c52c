package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import java.util.ArrayList;
import java.util.List;

/** Pool order: the primary while it is eligible, then the backups in the order the operator wrote them. */
public final class Priority implements Strategy {

    @Override
    public Prepared prepare(List<Candidate> candidates) {
        List<Candidate> pool = List.copyOf(candidates);
        return (skipped, call, limit) -> {
            List<Ranked> ranked = new ArrayList<>(Math.min(limit, pool.size()));
            int s = 0;
            for (int i = 0; i < pool.size() && ranked.size() < limit; i++) {
                if (s < skipped.length && skipped[s] == i) {
                    s++;
                    continue;
                }
                ranked.add(new Ranked(pool.get(i), ranked.size()));
            }
            return List.copyOf(ranked);
        };
    }

    @Override
    public String scoreMeaning() {
        return "priority (0 is the primary)";
    }
}
