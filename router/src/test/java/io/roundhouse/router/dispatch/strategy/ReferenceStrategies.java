package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.services.HashKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The strategies as they ranked every candidate of every call before they were prepared per view (issue 15), kept
 * verbatim as the reference that {@link PreparedStrategiesRankAsTheReferenceTest} holds the prepared ones to.
 */
final class ReferenceStrategies {

    private ReferenceStrategies() {
    }

    static final class LeastLoaded {

        /** Neutral load for a node that publishes none: neither preferred nor avoided. */
        static final double UNKNOWN_LOAD = 0.5;

        private final double channelShare;
        private final Map<String, Picks> picks = new ConcurrentHashMap<>();
        private final AtomicLong turn = new AtomicLong();

        /** @param channelShare weight of channels against CPU, 0..1 (config {@code dispatch.least-loaded.channel-weight}) */
        public LeastLoaded(double channelShare) {
            this.channelShare = channelShare;
        }

        private record Picks(long stateVersion, int count) {}

        List<Ranked> rank(List<Candidate> candidates, CallContext call) {
            List<Ranked> ranked = new ArrayList<>(candidates.size());
            for (Candidate c : candidates) {
                ranked.add(new Ranked(c, load(c)));
            }
            // Rotate before the stable sort, so that nodes of equal load take turns.
            int n = ranked.size();
            int start = (int) Math.floorMod(turn.getAndIncrement(), (long) n);
            List<Ranked> rotated = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rotated.add(ranked.get((start + i) % n));
            }
            rotated.sort(Comparator.comparingDouble(Ranked::score));
            Candidate first = rotated.get(0).candidate();
            picks.compute(first.nodeId(), (id, p) -> p == null || p.stateVersion() != first.stateVersion()
                    ? new Picks(first.stateVersion(), 1) : new Picks(p.stateVersion(), p.count() + 1));
            return rotated;
        }

        double load(Candidate c) {
            if (!c.loadKnown()) {
                return UNKNOWN_LOAD;
            }
            double cpu = Math.max(0, Math.min(100, c.cpuPercent())) / 100.0;
            if (c.maxChannels() <= 0) {
                return cpu;
            }
            Picks p = picks.get(c.nodeId());
            int recent = p != null && p.stateVersion() == c.stateVersion() ? p.count() : 0;
            double channels = (double) (c.channels() + recent) / c.maxChannels();
            return channelShare * channels + (1 - channelShare) * cpu;
        }

        String scoreMeaning() {
            return "load (lower is better)";
        }
    }


    static final class Weighted {

        private final Map<String, Long> current = new HashMap<>();

        List<Ranked> rank(List<Candidate> candidates, CallContext call) {
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

        String scoreMeaning() {
            return "weight share";
        }
    }


    static final class RoundRobin {

        private final AtomicLong next = new AtomicLong();

        List<Ranked> rank(List<Candidate> candidates, CallContext call) {
            int n = candidates.size();
            int start = (int) Math.floorMod(next.getAndIncrement(), (long) n);
            List<Ranked> ranked = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ranked.add(new Ranked(candidates.get((start + i) % n), i));
            }
            return ranked;
        }

        String scoreMeaning() {
            return "position";
        }
    }


    static final class RendezvousHash {

        private final HashKey hashKey;

        public RendezvousHash(HashKey hashKey) {
            this.hashKey = hashKey;
        }

        List<Ranked> rank(List<Candidate> candidates, CallContext call) {
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

        String scoreMeaning() {
            return "rendezvous score (higher is better)";
        }
    }


    static final class Priority {

        List<Ranked> rank(List<Candidate> candidates, CallContext call) {
            List<Ranked> ranked = new ArrayList<>(candidates.size());
            for (int i = 0; i < candidates.size(); i++) {
                ranked.add(new Ranked(candidates.get(i), i));
            }
            return ranked;
        }

        String scoreMeaning() {
            return "priority (0 is the primary)";
        }
    }
}
