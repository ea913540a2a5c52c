package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.CallContext;
import io.roundhouse.router.services.HashKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Weighted rendezvous (highest random weight) hashing: each node scores {@code -weight / ln(u)} with {@code u} a
 * uniform hash of (key, node) in (0, 1); the highest score wins. A node's score does not depend on the other nodes, so
 * when a node leaves only the keys it won move, and they spread over the others in proportion to their weights
 * (modulo hashing would reshuffle almost every key).
 */
public final class RendezvousHash implements Strategy {

    private final HashKey hashKey;

    public RendezvousHash(HashKey hashKey) {
        this.hashKey = hashKey;
    }

    @Override
    public List<Ranked> rank(List<Candidate> candidates, CallContext call) {
        String key = hashKey.of(call);
        List<Ranked> ranked = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            ranked.add(new Ranked(c, score(key, c.nodeId(), Math.max(1, c.weight()))));
        }
        ranked.sort(Comparator.comparingDouble(Ranked::score).reversed().thenComparing(Ranked::nodeId));
        return ranked;
    }

    static double score(String key, String nodeId, int weight) {
        long h = mix(fnv1a(key, nodeId));
        // 53 random bits to a double strictly inside (0, 1): ln(u) is then finite and negative.
        double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
        return -weight / Math.log(u);
    }

    private static long fnv1a(String key, String nodeId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h = (h ^ 0) * 0x100000001b3L; // separator, so ("ab","c") and ("a","bc") differ
        for (byte b : nodeId.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
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
