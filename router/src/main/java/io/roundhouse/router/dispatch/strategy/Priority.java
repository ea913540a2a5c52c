package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.CallContext;
import java.util.ArrayList;
import java.util.List;

/** Pool order: the primary while it is eligible, then the backups in the order the operator wrote them. */
public final class Priority implements Strategy {

    @Override
    public List<Ranked> rank(List<Candidate> candidates, CallContext call) {
        List<Ranked> ranked = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            ranked.add(new Ranked(candidates.get(i), i));
        }
        return ranked;
    }

    @Override
    public String scoreMeaning() {
        return "priority (0 is the primary)";
    }
}
