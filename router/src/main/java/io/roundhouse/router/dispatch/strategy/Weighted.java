package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Smooth weighted round robin (as nginx's upstream): each call, every candidate's current weight grows by its weight,
 * the largest is picked and loses the total. Over any window the split follows the weights exactly and the picks are
 * interleaved (80/20 gives four calls to one node, then one to the other), rather than a random split that only
 * converges. The fallbacks after the pick are the others by weight. Score: the node's share of the total weight.
 *
 * <p>Prepared, the growth is kept lazily: a node's current weight is {@code base + calls * weight}, so a call changes
 * only the picked node's base (and those of the few candidates the call leaves out, which do not grow). Nodes of one
 * weight keep their order by base in a tree, so a call compares the best of each weight: O(w log n) for w distinct
 * weights (one or a few in a farm), instead of growing every node.
 */
public final class Weighted implements Strategy {

    /** After this many calls on one index the bases are renormalised, far from overflowing a long. */
    private static final long RENORMALISE_AFTER = 1L << 31;

    /** Guards the current weights and the index in use. */
    private final Object lock = new Object();
    /**
     * Node to current weight, for the nodes a call has grown since it was last cleaned (as the algorithm's own map):
     * those of the index in use are kept in the index and written back here when another index takes over.
     */
    private final Map<String, Long> current = new HashMap<>();
    private Index live;

    /** A node's place among those of its weight: the largest base first, then pool order. */
    private record Slot(long base, int position) {}

    private static final Comparator<Slot> BY_BASE = Comparator.comparingLong(Slot::base).reversed()
            .thenComparingInt(Slot::position);

    @Override
    public Prepared prepare(List<Candidate> candidates) {
        Index index = new Index(candidates);
        synchronized (lock) {
            if (live != null) {
                live.writeBack();
            }
            index.load();
            live = index;
        }
        return index;
    }

    private final class Index implements Prepared {
        private final Candidate[] pool;
        private final long[] weight;
        private final int[] group;
        private final long[] groupWeight;
        private final List<TreeSet<Slot>> groups = new ArrayList<>();
        /** Positions by weight, largest first, then pool order: the fallbacks after the pick. */
        private final int[] byWeight;
        private final Set<String> ids = new HashSet<>();
        private final long totalWeight;
        private final long[] base;
        /** Candidates with no current weight in the algorithm's map (never grown, or cleaned out). */
        private final Set<Integer> outOfMap = new HashSet<>();
        /** Nodes in the map that are not candidates of this index (they left the pool, or the view). */
        private int departed;
        private long calls;

        Index(List<Candidate> candidates) {
            this.pool = candidates.toArray(new Candidate[0]);
            int n = pool.length;
            this.weight = new long[n];
            this.group = new int[n];
            this.base = new long[n];
            Map<Long, Integer> groupOf = new LinkedHashMap<>();
            long total = 0;
            for (int i = 0; i < n; i++) {
                weight[i] = Math.max(1, pool[i].weight());
                total += weight[i];
                Integer g = groupOf.get(weight[i]);
                if (g == null) {
                    g = groupOf.size();
                    groupOf.put(weight[i], g);
                    groups.add(new TreeSet<>(BY_BASE));
                }
                group[i] = g;
                ids.add(pool[i].nodeId());
            }
            this.totalWeight = total;
            this.groupWeight = groupOf.keySet().stream().mapToLong(Long::longValue).toArray();
            List<Integer> order = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                order.add(i);
            }
            order.sort(Comparator.comparingInt((Integer i) -> pool[i].weight()).reversed());
            this.byWeight = order.stream().mapToInt(Integer::intValue).toArray();
        }

        /** Takes the current weights from the map (under the lock). */
        void load() {
            outOfMap.clear();
            int inMap = 0;
            for (int i = 0; i < pool.length; i++) {
                Long w = current.get(pool[i].nodeId());
                if (w == null) {
                    outOfMap.add(i);
                } else {
                    inMap++;
                }
                base[i] = w == null ? 0 : w;
            }
            departed = current.size() - inMap;
            calls = 0;
            rebuildTrees();
        }

        private void rebuildTrees() {
            groups.forEach(TreeSet::clear);
            for (int i = 0; i < pool.length; i++) {
                groups.get(group[i]).add(new Slot(base[i], i));
            }
        }

        /** Puts the current weights back into the map, for the index that takes over (under the lock). */
        void writeBack() {
            for (int i = 0; i < pool.length; i++) {
                if (outOfMap.contains(i)) {
                    current.remove(pool[i].nodeId());
                } else {
                    current.put(pool[i].nodeId(), base[i] + calls * weight[i]);
                }
            }
        }

        private void setBase(int i, long b) {
            TreeSet<Slot> g = groups.get(group[i]);
            g.remove(new Slot(base[i], i));
            base[i] = b;
            g.add(new Slot(b, i));
        }

        @Override
        public List<Ranked> rank(int[] skipped, CallContext call, int limit) {
            synchronized (lock) {
                if (live != this) {
                    live.writeBack();
                    load();
                    live = this;
                }
                long total = totalWeight;
                for (int s : skipped) {
                    total -= weight[s];
                    groups.get(group[s]).remove(new Slot(base[s], s));
                }
                // Every candidate grows by its weight (calls + 1), then the largest current weight wins, the first
                // in pool order among equals.
                long grown = calls + 1;
                int picked = -1;
                long best = Long.MIN_VALUE;
                for (int g = 0; g < groups.size(); g++) {
                    TreeSet<Slot> set = groups.get(g);
                    if (set.isEmpty()) {
                        continue;
                    }
                    Slot top = set.first();
                    long w = top.base() + grown * groupWeight[g];
                    if (picked < 0 || w > best || (w == best && top.position() < picked)) {
                        best = w;
                        picked = top.position();
                    }
                }
                for (int s : skipped) {
                    base[s] -= weight[s]; // left out: it does not grow
                    groups.get(group[s]).add(new Slot(base[s], s));
                }
                calls = grown;
                setBase(picked, base[picked] - total);
                int alive = pool.length - skipped.length;
                if (!outOfMap.isEmpty()) {
                    outOfMap.removeIf(i -> !Skips.contains(skipped, i)); // grown now: in the map
                }
                if (departed + pool.length - outOfMap.size() > alive * 2L + 8) {
                    // The algorithm's clean-up: only this call's candidates keep a current weight.
                    for (int s : skipped) {
                        if (outOfMap.add(s)) {
                            setBase(s, -calls * weight[s]);
                        }
                    }
                    current.keySet().retainAll(ids);
                    departed = 0;
                }
                if (calls >= RENORMALISE_AFTER) {
                    for (int i = 0; i < pool.length; i++) {
                        base[i] += calls * weight[i];
                    }
                    calls = 0;
                    rebuildTrees();
                }
                return List.copyOf(ranking(picked, skipped, total, limit));
            }
        }

        private List<Ranked> ranking(int picked, int[] skipped, long total, int limit) {
            int alive = pool.length - skipped.length;
            List<Ranked> ranked = new ArrayList<>(Math.min(limit, alive));
            ranked.add(new Ranked(pool[picked], (double) weight[picked] / total));
            for (int k = 0; k < byWeight.length && ranked.size() < limit; k++) {
                int i = byWeight[k];
                if (i != picked && !Skips.contains(skipped, i)) {
                    ranked.add(new Ranked(pool[i], (double) weight[i] / total));
                }
            }
            return ranked;
        }
    }

    @Override
    public String scoreMeaning() {
        return "weight share";
    }
}
