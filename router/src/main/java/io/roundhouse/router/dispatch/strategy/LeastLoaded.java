package io.roundhouse.router.dispatch.strategy;

import io.roundhouse.router.dispatch.CallContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node with the lowest load:
 * {@code load = channelShare * (channels + picks) / maxChannels + (1 - channelShare) * cpuPercent / 100}, where
 * {@code picks} counts the calls this router sent to the node since the agent's last report. Without {@code picks},
 * every call between two heartbeats (1 s) would pile onto the same node. Unknown load (static node without agent)
 * counts as {@link #UNKNOWN_LOAD}; an unknown channel capacity leaves only the CPU term. Equal loads are taken in
 * turns.
 */
public final class LeastLoaded implements Strategy {

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

    @Override
    public List<Ranked> rank(List<Candidate> candidates, CallContext call) {
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

    @Override
    public String scoreMeaning() {
        return "load (lower is better)";
    }
}
