package io.roundhouse.router.dispatch.strategy;

/**
 * An eligible node as strategies see it: only what ranking needs, from one immutable view snapshot.
 *
 * @param nodeId       node id
 * @param weight       operator weight (static config), 1 for nodes it does not name
 * @param loadKnown    false for a static node without an agent: its load is unknown
 * @param channels     live channels reported by the agent
 * @param maxChannels  channel capacity reported by the agent (0: unknown)
 * @param cpuPercent   smoothed CPU 0..100 reported by the agent
 * @param stateVersion the agent's updated-at, so a strategy can tell a fresh report from the one it already used
 */
public record Candidate(String nodeId, int weight, boolean loadKnown, int channels, int maxChannels, double cpuPercent,
                        long stateVersion) {

    /** A node with only a weight (static node without agent, or tests). */
    public static Candidate ofWeight(String nodeId, int weight) {
        return new Candidate(nodeId, weight, false, 0, 0, 0, 0);
    }

    public static Candidate ofLoad(String nodeId, int channels, int maxChannels, double cpuPercent) {
        return new Candidate(nodeId, 1, true, channels, maxChannels, cpuPercent, 0);
    }
}
