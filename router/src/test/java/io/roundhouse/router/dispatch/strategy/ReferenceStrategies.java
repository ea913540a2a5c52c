package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.services.HashKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The strategies as they ranked every candidate of every call before they were prepared per view (issue 15), kept
 * verbatim as the reference that {@link PreparedStrategiesRankAsTheReferenceTest} holds the prepared ones to; and the
 * hash strategy's ring as a plain sorted map.
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


    /**
     * The hash strategy's ring as a sorted map, walked one point at a time (not a former strategy: the rendezvous
     * hashing it replaced scored every node per call): the same points ({@link HashRing#pointCounts},
     * {@link HashRing#pointPosition}) in a {@code TreeMap} by position, equal positions in id order, and a call's
     * ranking the distinct nodes met clockwise from the key's position, those left out passed over.
     */
    static final class Ring {

        private final HashKey hashKey;

        Ring(HashKey hashKey) {
            this.hashKey = hashKey;
        }

        /** The ring of each pool met, by its (id, weight) list: built once, as a farm's views repeat pools. */
        private final Map<List<String>, TreeMap<Long, TreeMap<String, Integer>>> rings = new HashMap<>();

        List<Ranked> rank(List<Candidate> all, int[] skipped, CallContext call) {
            TreeMap<Long, TreeMap<String, Integer>> ring = rings.computeIfAbsent(
                    all.stream().map(c -> c.nodeId() + "/" + c.weight()).toList(), k -> ring(all));
            Set<String> left = new HashSet<>();
            for (int s : skipped) {
                left.add(all.get(s).nodeId());
            }
            long from = HashRing.position(hashKey.of(call));
            List<Ranked> ranked = new ArrayList<>();
            Set<String> met = new HashSet<>();
            for (Map<Long, TreeMap<String, Integer>> arc : List.of(ring.tailMap(from, true), ring.headMap(from, false))) {
                for (Map.Entry<Long, TreeMap<String, Integer>> point : arc.entrySet()) {
                    for (int i : point.getValue().values()) {
                        Candidate c = all.get(i);
                        if (!left.contains(c.nodeId()) && met.add(c.nodeId())) {
                            ranked.add(new Ranked(c, HashRing.distance(from, point.getKey())));
                        }
                    }
                    if (met.size() == all.size() - left.size()) {
                        return ranked;
                    }
                }
            }
            return ranked;
        }

        /** Position to the nodes placed there, by id, with their index in the pool. */
        private static TreeMap<Long, TreeMap<String, Integer>> ring(List<Candidate> all) {
            int[] counts = HashRing.pointCounts(all.toArray(new Candidate[0]));
            TreeMap<Long, TreeMap<String, Integer>> ring = new TreeMap<>();
            for (int i = 0; i < all.size(); i++) {
                long idHash = HashRing.idHash(all.get(i).nodeId());
                for (int j = 0; j < counts[i]; j++) {
                    ring.computeIfAbsent(HashRing.pointPosition(idHash, j), p -> new TreeMap<>())
                            .put(all.get(i).nodeId(), i);
                }
            }
            return ring;
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
