package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.services.HashKey;
import io.roundhouse.router.sip.Fnv1a;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Weighted rendezvous (highest random weight) hashing: each node scores {@code -weight / ln(u)} with {@code u} a
 * uniform hash of (key, node) in (0, 1); the highest score wins. A node's score does not depend on the other nodes, so
 * when a node leaves only the keys it won move, and they spread over the others in proportion to their weights
 * (modulo hashing would reshuffle almost every key).
 *
 * <p>A call costs one score per node, O(n): that is what rendezvous hashing is (each key ranks every node afresh),
 * and what makes a leaving node move only its own keys. Prepared, the per-node work is the least it can be: the key
 * is hashed once and each node's hash continues from it over the node's id bytes, read once per view; only the best
 * few are kept (no sort, no object per node). Caching a key's order would not pay: the default key is the Call-ID,
 * new with every call.
 */
public final class RendezvousHash implements Strategy {

    private final HashKey hashKey;

    public RendezvousHash(HashKey hashKey) {
        this.hashKey = hashKey;
    }

    @Override
    public Prepared prepare(List<Candidate> candidates) {
        Candidate[] pool = candidates.toArray(new Candidate[0]);
        byte[][] ids = new byte[pool.length][];
        int[] weights = new int[pool.length];
        for (int i = 0; i < pool.length; i++) {
            ids[i] = pool[i].nodeId().getBytes(StandardCharsets.UTF_8);
            weights[i] = Math.max(1, pool[i].weight());
        }
        return (skipped, call, limit) -> {
            long keyed = separated(Fnv1a.of(Fnv1a.OFFSET, hashKey.of(call).getBytes(StandardCharsets.UTF_8)));
            int keep = Math.min(limit, pool.length - skipped.length);
            // The best `keep` so far, best first: by score, higher first, then by node id.
            int[] best = new int[keep];
            double[] scores = new double[keep];
            int size = 0;
            for (int i = 0; i < pool.length; i++) {
                if (Skips.contains(skipped, i)) {
                    continue;
                }
                double s = score(Fnv1a.of(keyed, ids[i]), weights[i]);
                if (size == keep && !before(s, pool[i], scores[size - 1], pool[best[size - 1]])) {
                    continue;
                }
                int at = size == keep ? size - 1 : size++;
                while (at > 0 && before(s, pool[i], scores[at - 1], pool[best[at - 1]])) {
                    best[at] = best[at - 1];
                    scores[at] = scores[at - 1];
                    at--;
                }
                best[at] = i;
                scores[at] = s;
            }
            List<Ranked> ranked = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                ranked.add(new Ranked(pool[best[k]], scores[k]));
            }
            return List.copyOf(ranked);
        };
    }

    /** Whether (s, a) ranks before (t, b): higher score first, then node id. */
    private static boolean before(double s, Candidate a, double t, Candidate b) {
        int c = Double.compare(t, s);
        return c != 0 ? c < 0 : a.nodeId().compareTo(b.nodeId()) < 0;
    }

    static double score(String key, String nodeId, int weight) {
        return score(Fnv1a.of(separated(Fnv1a.of(Fnv1a.OFFSET, key.getBytes(StandardCharsets.UTF_8))),
                nodeId.getBytes(StandardCharsets.UTF_8)), weight);
    }

    private static double score(long fnv, int weight) {
        long h = mix(fnv);
        // 53 random bits to a double strictly inside (0, 1): ln(u) is then finite and negative.
        double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
        return -weight / Math.log(u);
    }

    /** A separator between key and node id, so ("ab","c") and ("a","bc") differ. */
    private static long separated(long h) {
        return Fnv1a.step(h, 0);
    }

    /** SplitMix64 finalizer: FNV's low bits alone are too regular for similar keys ("conf-1", "conf-2"). */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public String scoreMeaning() {
        return "rendezvous score (higher is better)";
    }
}
