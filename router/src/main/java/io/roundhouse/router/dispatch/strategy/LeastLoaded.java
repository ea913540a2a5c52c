package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The node with the lowest load:
 * {@code load = channelShare * (channels + picks) / maxChannels + (1 - channelShare) * cpuPercent / 100}, where
 * {@code picks} counts the calls this router sent to the node since the agent's last report. Without {@code picks},
 * every call between two heartbeats (1 s) would pile onto the same node. Unknown load (static node without agent)
 * counts as {@link #UNKNOWN_LOAD}; an unknown channel capacity leaves only the CPU term. Equal loads are taken in
 * turns.
 *
 * <p>Prepared, the candidates sit in a tree ordered by (load, position), built once per view: a call walks it from
 * the lowest load, taking equal loads from its turn's position on (what rotating the list before a stable sort
 * gives), and only the picked node's load changes, so it is moved in the tree: O(log n) per call instead of scoring
 * and sorting every node.
 */
public final class LeastLoaded implements Strategy {

    /** Neutral load for a node that publishes none: neither preferred nor avoided. */
    static final double UNKNOWN_LOAD = 0.5;

    private final double channelShare;
    /** Guards the counters and the index in use; held by a call for O(log n), by a view change for O(n log n). */
    private final Object lock = new Object();
    private final Map<String, Picks> picks = new HashMap<>();
    private long turn;
    /** The index whose tree agrees with {@link #picks}; another one re-reads every load before it is used. */
    private Index live;

    /** @param channelShare weight of channels against CPU, 0..1 (config {@code dispatch.least-loaded.channel-weight}) */
    public LeastLoaded(double channelShare) {
        this.channelShare = channelShare;
    }

    private record Picks(long stateVersion, int count) {}

    /** A candidate's place in the tree: by load, then by position in the pool. */
    private record Slot(double load, int position) implements Comparable<Slot> {
        @Override
        public int compareTo(Slot o) {
            int c = Double.compare(load, o.load);
            return c != 0 ? c : Integer.compare(position, o.position);
        }
    }

    @Override
    public Prepared prepare(List<Candidate> candidates) {
        Index index = new Index(candidates);
        synchronized (lock) {
            index.reload();
            live = index;
        }
        return index;
    }

    private final class Index implements Prepared {
        private final Candidate[] pool;
        private final double[] loads;
        private final TreeSet<Slot> order = new TreeSet<>();

        Index(List<Candidate> candidates) {
            this.pool = candidates.toArray(new Candidate[0]);
            this.loads = new double[pool.length];
        }

        /** Every load read again from the counters (under the lock). */
        void reload() {
            order.clear();
            for (int i = 0; i < pool.length; i++) {
                loads[i] = load(pool[i]);
                order.add(new Slot(loads[i], i));
            }
        }

        @Override
        public List<Ranked> rank(int[] skipped, CallContext call, int limit) {
            synchronized (lock) {
                if (live != this) {
                    reload();
                    live = this;
                }
                int alive = pool.length - skipped.length;
                int start = (int) Math.floorMod(turn++, (long) alive);
                // Rotating the list by `start` then sorting stably by load puts, within one load, the positions from
                // the start's own on first, then those before it.
                int from = Skips.nth(skipped, start);
                List<Ranked> ranked = new ArrayList<>(Math.min(limit, alive));
                int picked = -1;
                Slot level = order.isEmpty() ? null : order.first();
                while (level != null && ranked.size() < limit) {
                    double load = level.load();
                    // Iterators, not higher(): a step to the next slot is then O(1) amortised, not a search.
                    for (Iterator<Slot> it = order.subSet(new Slot(load, from), true, new Slot(load, Integer.MAX_VALUE),
                            true).iterator(); it.hasNext() && ranked.size() < limit; ) {
                        picked = take(it.next(), skipped, ranked, picked);
                    }
                    if (level.position() < from) {
                        for (Iterator<Slot> it = order.subSet(level, true, new Slot(load, from), false).iterator();
                                it.hasNext() && ranked.size() < limit; ) {
                            picked = take(it.next(), skipped, ranked, picked);
                        }
                    }
                    level = order.higher(new Slot(load, Integer.MAX_VALUE));
                }
                Candidate first = pool[picked];
                picks.compute(first.nodeId(), (id, p) -> p == null || p.stateVersion() != first.stateVersion()
                        ? new Picks(first.stateVersion(), 1) : new Picks(p.stateVersion(), p.count() + 1));
                order.remove(new Slot(loads[picked], picked));
                loads[picked] = load(first);
                order.add(new Slot(loads[picked], picked));
                return List.copyOf(ranked); // immutable once: the call and its decision keep it without a copy
            }
        }

        private int take(Slot s, int[] skipped, List<Ranked> ranked, int picked) {
            if (Skips.contains(skipped, s.position())) {
                return picked;
            }
            ranked.add(new Ranked(pool[s.position()], s.load()));
            return picked < 0 ? s.position() : picked;
        }
    }

    /** The load of a candidate now (the caller holds the lock). */
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

    @Override
    public String scoreMeaning() {
        return "load (lower is better)";
    }
}
