package io.roundhouse.agent.state;

/** A node load the test sets: the agent's own seam (fed by AMI, /proc and drain in production), not Redis. */
public final class SettableLoad implements NodeLoad {
    public volatile int channels;
    /** Channels of calls already in Asterisk, as AMI would list them (each also counted in {@link #channels}). */
    public final java.util.Set<String> channelIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
    public volatile double cpu;
    public volatile boolean cpuKnown = true;
    public volatile boolean confBridgeRooms;
    public volatile boolean reachable = true;
    public volatile boolean draining;

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int channelsBesides(String channelId) {
        return channels - (channelIds.contains(channelId) ? 1 : 0);
    }

    @Override
    public boolean hostsConfBridgeRooms() {
        return confBridgeRooms;
    }

    @Override
    public boolean cpuKnown() {
        return cpuKnown;
    }

    @Override
    public double cpuPercent() {
        return cpu;
    }

    @Override
    public boolean asteriskReachable() {
        return reachable;
    }

    @Override
    public boolean draining() {
        return draining;
    }
}
