package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.CallContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Smooth weighted round robin (as nginx's upstream): each call, every candidate's current weight grows by its weight,
 * the largest is picked and loses the total. Over any window the split follows the weights exactly and the picks are
 * interleaved (80/20 gives four calls to one node, then one to the other), rather than a random split that only
 * converges. The fallbacks after the pick are the others by weight. Score: the node's share of the total weight.
 */
public final class Weighted implements Strategy {

    private final Map<String, Long> current = new HashMap<>();

    @Override
    public List<Ranked> rank(List<Candidate> candidates, CallContext call) {
        long total = 0;
        for (Candidate c : candidates) {
            total += Math.max(1, c.weight());
        }
        Candidate picked = null;
        synchronized (current) {
            long best = Long.MIN_VALUE;
            for (Candidate c : candidates) {
                long w = current.merge(c.nodeId(), (long) Math.max(1, c.weight()), Long::sum);
                if (w > best) {
                    best = w;
                    picked = c;
                }
            }
            current.merge(picked.nodeId(), -total, Long::sum);
            // Nodes that left the pool must not keep a credit that would burst them on return.
            if (current.size() > candidates.size() * 2 + 8) {
                current.keySet().retainAll(candidates.stream().map(Candidate::nodeId).toList());
            }
        }
        List<Ranked> ranked = new ArrayList<>(candidates.size());
        final long sum = total;
        ranked.add(new Ranked(picked, (double) Math.max(1, picked.weight()) / sum));
        final Candidate first = picked;
        candidates.stream().filter(c -> c != first)
                .sorted(Comparator.comparingInt(Candidate::weight).reversed())
                .forEach(c -> ranked.add(new Ranked(c, (double) Math.max(1, c.weight()) / sum)));
        return ranked;
    }

    @Override
    public String scoreMeaning() {
        return "weight share";
    }
}
