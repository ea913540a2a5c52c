package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.CallContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each call starts one node further along the pool; the rest follow in pool order. Score: the position. */
public final class RoundRobin implements Strategy {

    private final AtomicLong next = new AtomicLong();

    @Override
    public List<Ranked> rank(List<Candidate> candidates, CallContext call) {
        int n = candidates.size();
        int start = (int) Math.floorMod(next.getAndIncrement(), (long) n);
        List<Ranked> ranked = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ranked.add(new Ranked(candidates.get((start + i) % n), i));
        }
        return ranked;
    }

    @Override
    public String scoreMeaning() {
        return "position";
    }
}
