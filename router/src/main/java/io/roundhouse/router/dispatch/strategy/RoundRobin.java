package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Each call starts one node further along the pool; the rest follow in pool order. Score: the position. */
public final class RoundRobin implements Strategy {

    private final AtomicLong next = new AtomicLong();

    @Override
    public Prepared prepare(List<Candidate> candidates) {
        List<Candidate> pool = List.copyOf(candidates);
        return (skipped, call, limit) -> {
            int n = pool.size();
            int alive = n - skipped.length;
            int start = (int) Math.floorMod(next.getAndIncrement(), (long) alive);
            int count = Math.min(limit, alive);
            List<Ranked> ranked = new ArrayList<>(count);
            int p = Skips.nth(skipped, start);
            for (int i = 0; i < count; i++) {
                ranked.add(new Ranked(pool.get(p), i));
                do {
                    p = p + 1 == n ? 0 : p + 1;
                } while (i + 1 < count && Skips.contains(skipped, p));
            }
            return List.copyOf(ranked);
        };
    }

    @Override
    public String scoreMeaning() {
        return "position";
    }
}
