package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.services.HashKey;
import io.roundhouse.router.sip.Fnv1a;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Consistent hashing on a ring of virtual points (Karger et al.; the model is HAProxy's {@code hash-type consistent}
 * and ketama): each node is placed on a ring of 2^39 positions at points hashed from its id, as many as its weight
 * asks; a key's hash is a position, the key goes to the node of the first point clockwise from it, and its fallbacks
 * are the next distinct nodes clockwise. When a node leaves, only the keys of its own arcs move, each to the next node
 * of its arc, so they spread over the others in proportion to their points (modulo hashing would reshuffle almost
 * every key). A node left out of a call (tried, down, full) is passed over on the walk, which is where its keys go if
 * it leaves.
 *
 * <p><b>Points.</b> {@value #POINTS_PER_WEIGHT} points per weight unit (ketama's 160 per server), point {@code j} of a
 * node at {@code fmix64(FNV-1a(id, 0, j))}. A node's share of the ring then deviates from its weight share by about
 * {@code 1/sqrt(points)}: 8% at weight 1, less for heavier nodes. The ring is bounded: while {@code 160 * total
 * weight} exceeds {@value #MAX_POINTS} (256k: 13 bytes a point, 3.4 MB, built off the event loop), the points per
 * unit are halved, so weights (up to 1,000,000 each) count only by their ratio; a node keeps at least one point. Hence
 * at most {@code 262,144 + n} points. At most 1,638 weight units (e.g. 1,000 nodes of weight 1, 20 of weight 80) the
 * points per unit are 160 whatever the pool, so a node that leaves (or is left out) moves only its own keys; beyond,
 * a pool whose total weight crosses a power of two rescales every node's points, and a leaving node then moves more
 * keys than its own (a left-out node still moves only its own: the prepared ring is kept).
 *
 * <p><b>Cost.</b> The ring (sorted points, each carrying its node's rank by id, so that equal positions order by id
 * whatever the pool order) is built once per distinct pool: it is cached keyed by the exact (id, weight) list, so a
 * view rebuilt with the same pool (once a second) reuses it. A call hashes its key once, finds its first point in a
 * table of arcs of the ring (O(1), a few points an arc; a binary search would be O(log n), its deepest steps cache
 * misses) and walks clockwise past points of nodes it has or must skip, until it holds {@code limit} nodes. The
 * walk is bounded ({@code 32 + 8 * limit} points: the expected walk is about {@code limit} when the pool is much
 * larger, {@code n ln n} to collect a whole small pool); when it runs out (a node of tiny weight share, most of the
 * pool left out) the nodes not met are ordered exactly by their first point after the key, found by binary search in
 * each node's own points (O(n log n) for that rare call). Allocation per call: the result (and a bitmap of the pool
 * past 16 nodes asked: the operators' assessment asks for the whole pool). Score: the ring distance from the key to
 * the point that ranked the node, as a fraction of the ring.
 */
public final class HashRing implements Strategy {

    /** Points per weight unit while the ring is within {@link #MAX_POINTS}. */
    static final int POINTS_PER_WEIGHT = 160;
    /** The bound on a ring's points (before each node's floor of one). */
    static final int MAX_POINTS = 1 << 18;

    private static final int POSITION_BITS = 39;
    private static final double RING = (double) (1L << POSITION_BITS);
    private static final int RANK_BITS = 24;
    private static final long RANK_MASK = (1L << RANK_BITS) - 1;
    private static final int WALK = 32;
    private static final int WALK_PER_RANK = 8;
    /** Up to this many nodes asked, whether a node is already ranked is a scan of the ranking; beyond, a bitmap. */
    private static final int SCAN_AT_MOST = 16;

    private final HashKey hashKey;
    /** The ring of the last pool prepared: immutable, written by the view thread, read when a view is prepared. */
    private volatile Ring cached;

    public HashRing(HashKey hashKey) {
        this.hashKey = hashKey;
    }

    @Override
    public Prepared prepare(List<Candidate> candidates) {
        Candidate[] pool = candidates.toArray(new Candidate[0]);
        Ring ring = cached;
        if (ring == null || !ring.isFor(pool)) {
            ring = new Ring(pool);
            cached = ring;
        }
        return new Index(ring, pool);
    }

    @Override
    public String scoreMeaning() {
        return "ring distance from the key (lower is better)";
    }

    /** A key's position on the ring. */
    static long position(String key) {
        return Fnv1a.finish(Fnv1a.of(Fnv1a.OFFSET, key)) >>> (64 - POSITION_BITS);
    }

    /** The position of point {@code j} of the node whose id hashes (with its separator) to {@code idHash}. */
    static long pointPosition(long idHash, int j) {
        long h = Fnv1a.step(idHash, j & 0xff);
        h = Fnv1a.step(h, (j >>> 8) & 0xff);
        h = Fnv1a.step(h, (j >>> 16) & 0xff);
        h = Fnv1a.step(h, j >>> 24);
        return Fnv1a.finish(h) >>> (64 - POSITION_BITS);
    }

    /** A node id's hash, with a separator before the point number, so ("n1", 0) and ("n", ...) differ. */
    static long idHash(String nodeId) {
        return Fnv1a.step(Fnv1a.of(Fnv1a.OFFSET, nodeId), 0);
    }

    /** How many points each node of {@code pool} gets: see the class comment. */
    static int[] pointCounts(Candidate[] pool) {
        long total = 0;
        for (Candidate c : pool) {
            total += weight(c);
        }
        int shift = 0;
        while (((POINTS_PER_WEIGHT * total) >> shift) > MAX_POINTS) {
            shift++;
        }
        int[] counts = new int[pool.length];
        for (int i = 0; i < pool.length; i++) {
            counts[i] = (int) Math.max(1, (POINTS_PER_WEIGHT * weight(pool[i])) >> shift);
        }
        return counts;
    }

    private static long weight(Candidate c) {
        return Math.max(1, c.weight());
    }

    /** A ring's distance from a key's position clockwise to a point's, as a fraction of the ring. */
    static double distance(long from, long to) {
        return ((to - from) & ((1L << POSITION_BITS) - 1)) / RING;
    }

    /** The ring of one pool (its ids and weights in pool order); immutable. */
    static final class Ring {
        private final String[] ids;
        private final int[] weights;
        /** Sorted: a point's position, shifted over its node's rank by id. */
        private final long[] points;
        /** Node rank by id to its position in the pool. */
        private final int[] poolPositionOfRank;
        /** The ring indices of each pool position's points, ascending: node {@code i}'s from {@code start[i]}. */
        private final int[] byNode;
        private final int[] start;
        /**
         * The ring cut in 2^b equal arcs (b: 4 to 8 points an arc), the first ring index of each (and the ring's
         * size last): a key's first point is found in its arc's few points, two cache lines, rather than by a
         * binary search whose deepest steps each miss the cache (1.3 MB of points at 1,000 nodes).
         */
        private final int[] arcStart;
        private final int arcShift;

        Ring(Candidate[] pool) {
            int n = pool.length;
            if (n >= 1 << RANK_BITS) {
                throw new IllegalArgumentException("a pool of " + n + " nodes");
            }
            ids = new String[n];
            weights = new int[n];
            Integer[] byId = new Integer[n];
            for (int i = 0; i < n; i++) {
                ids[i] = pool[i].nodeId();
                weights[i] = pool[i].weight();
                byId[i] = i;
            }
            Arrays.sort(byId, Comparator.comparing((Integer i) -> ids[i]).thenComparingInt(i -> i));
            poolPositionOfRank = new int[n];
            int[] rankOf = new int[n];
            for (int r = 0; r < n; r++) {
                poolPositionOfRank[r] = byId[r];
                rankOf[byId[r]] = r;
            }
            int[] counts = pointCounts(pool);
            start = new int[n + 1];
            for (int i = 0; i < n; i++) {
                start[i + 1] = start[i] + counts[i];
            }
            points = new long[start[n]];
            int p = 0;
            for (int i = 0; i < n; i++) {
                long idHash = idHash(ids[i]);
                for (int j = 0; j < counts[i]; j++) {
                    points[p++] = pointPosition(idHash, j) << RANK_BITS | rankOf[i];
                }
            }
            Arrays.sort(points);
            byNode = new int[points.length];
            int[] fill = Arrays.copyOf(start, n);
            for (int k = 0; k < points.length; k++) {
                int node = owner(k);
                byNode[fill[node]++] = k;
            }
            int arcBits = Math.max(0, 29 - Integer.numberOfLeadingZeros(points.length)); // 2^bits <= size/4
            arcShift = POSITION_BITS + RANK_BITS - arcBits;
            arcStart = new int[(1 << arcBits) + 1];
            int k = 0;
            for (int a = 0; a < arcStart.length - 1; a++) {
                while (k < points.length && (points[k] >>> arcShift) < a) {
                    k++;
                }
                arcStart[a] = k;
            }
            arcStart[arcStart.length - 1] = points.length;
        }

        /** The ring index of the first point at or after position {@code from}; the ring's size past the last. */
        private int firstAtOrAfter(long from) {
            long at = from << RANK_BITS;
            int arc = (int) (at >>> arcShift);
            int k = arcStart[arc];
            int end = arcStart[arc + 1];
            while (k < end && points[k] < at) {
                k++;
            }
            return k;
        }

        /** Whether this is the ring of {@code pool}: the same ids and weights in the same order. */
        boolean isFor(Candidate[] pool) {
            if (pool.length != ids.length) {
                return false;
            }
            for (int i = 0; i < pool.length; i++) {
                if (pool[i].weight() != weights[i] || !pool[i].nodeId().equals(ids[i])) {
                    return false;
                }
            }
            return true;
        }

        int size() {
            return points.length;
        }

        private int owner(int k) {
            return poolPositionOfRank[(int) (points[k] & RANK_MASK)];
        }

        List<Ranked> rank(Candidate[] pool, int[] skipped, String key, int limit) {
            int ringSize = points.length;
            int keep = Math.min(limit, pool.length - skipped.length);
            Ranked[] out = new Ranked[keep];
            boolean[] met = keep > SCAN_AT_MOST ? new boolean[pool.length] : null; // a whole-pool ask (assessment)
            long from = position(key);
            int at = firstAtOrAfter(from); // ringSize: wraps to 0
            int size = 0;
            int walk = Math.min(ringSize, WALK + WALK_PER_RANK * keep);
            for (int step = 0; step < walk && size < keep; step++) {
                int k = at + step;
                if (k >= ringSize) {
                    k -= ringSize;
                }
                int node = owner(k);
                if (!Skips.contains(skipped, node) && !taken(out, size, met, pool, node)) {
                    out[size++] = new Ranked(pool[node], distance(from, points[k] >>> RANK_BITS));
                    if (met != null) {
                        met[node] = true;
                    }
                }
            }
            if (size < keep) {
                rest(pool, skipped, out, size, met, at, from);
            }
            return List.of(out);
        }

        private static boolean taken(Ranked[] out, int size, boolean[] met, Candidate[] pool, int node) {
            if (met != null) {
                return met[node];
            }
            for (int i = 0; i < size; i++) {
                if (out[i].candidate() == pool[node]) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Fills {@code out} from {@code size} with the nodes the walk did not meet, in ring order: each node's first
         * point at or after ring index {@code at}, by binary search in its own points.
         */
        private void rest(Candidate[] pool, int[] skipped, Ranked[] out, int size, boolean[] met, int at, long from) {
            int ringSize = points.length;
            int need = out.length - size;
            int[] best = new int[need]; // ring offsets from `at`, ascending
            int[] bestNode = new int[need];
            int found = 0;
            for (int node = 0; node < pool.length; node++) {
                if (Skips.contains(skipped, node) || taken(out, size, met, pool, node)) {
                    continue;
                }
                int lo = start[node];
                int hi = start[node + 1];
                int i = Arrays.binarySearch(byNode, lo, hi, at);
                if (i < 0) {
                    i = -i - 1;
                }
                int k = i < hi ? byNode[i] : byNode[lo];
                int offset = k >= at ? k - at : k - at + ringSize;
                if (found == need && offset >= best[need - 1]) {
                    continue;
                }
                int j = found == need ? need - 1 : found++;
                while (j > 0 && best[j - 1] > offset) {
                    best[j] = best[j - 1];
                    bestNode[j] = bestNode[j - 1];
                    j--;
                }
                best[j] = offset;
                bestNode[j] = node;
            }
            for (int j = 0; j < need; j++) {
                int k = at + best[j];
                if (k >= ringSize) {
                    k -= ringSize;
                }
                out[size + j] = new Ranked(pool[bestNode[j]], distance(from, points[k] >>> RANK_BITS));
            }
        }
    }

    /** One view's pool over its ring. */
    final class Index implements Prepared {
        final Ring ring;
        private final Candidate[] pool;

        Index(Ring ring, Candidate[] pool) {
            this.ring = ring;
            this.pool = pool;
        }

        @Override
        public List<Ranked> rank(int[] skipped, CallContext call, int limit) {
            return ring.rank(pool, skipped, hashKey.of(call), limit);
        }
    }
}
