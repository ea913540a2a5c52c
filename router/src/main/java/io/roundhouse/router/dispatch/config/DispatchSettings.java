package io.roundhouse.router.dispatch.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.roundhouse.shared.config.ConfigException;
import io.roundhouse.shared.config.Require;
import java.time.Duration;

/**
 * The {@code dispatch:} block (see docs/dispatch.md for each key with its default and an example).
 *
 * @param maxAttempts           nodes tried for one call, first included
 * @param refreshInterval       full refresh of the node view from Redis
 * @param requireAgent          static nodes need an agent's state to take calls
 * @param redisTimeout          longest an affinity call waits for Redis before deciding locally
 * @param redisThreads          threads doing Redis work for calls (claims, moves, marks)
 * @param decisionsKept         decisions kept in Redis for operators (capped list)
 * @param channelWeight         least-loaded: weight of channels against CPU, 0..1
 * @param defaultRetryAfter     full mark for a 503 that carries no Retry-After (0: no mark)
 * @param trustNodePorts        isFromNode compares address and port (true) or the address only
 * @param callStateTtl          how long the state of a call in progress is kept without an outcome
 * @param outageHoldover        after Redis returns, how long nodes it does not show yet are kept from the last view
 * @param placementReclaimAfter placements of a node absent from the view this long are released (zero: never)
 */
public record DispatchSettings(int maxAttempts, Duration refreshInterval, boolean requireAgent, Duration redisTimeout,
                               int redisThreads, int decisionsKept, double channelWeight, Duration defaultRetryAfter,
                               boolean trustNodePorts, Duration callStateTtl, Duration outageHoldover,
                               Duration placementReclaimAfter) {

    /** The shortest {@code placement-reclaim-after}: an agent that restarts is absent for its TTL and its start-up. */
    static final Duration MIN_PLACEMENT_RECLAIM_AFTER = Duration.ofSeconds(10);

    public static final DispatchSettings DEFAULTS = new DispatchSettings(3, Duration.ofSeconds(1), false,
            Duration.ofMillis(500), 4, 1000, 0.5, Duration.ZERO, true, Duration.ofMinutes(5), Duration.ofSeconds(10),
            Duration.ofSeconds(60));

    public DispatchSettings {
        if (redisTimeout.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new ConfigException("redis-timeout", redisTimeout.toMillis()
                    + "ms (expected: at most 10s: the caller is waiting)");
        }
        if (placementReclaimAfter.isNegative() || !placementReclaimAfter.isZero()
                && placementReclaimAfter.compareTo(MIN_PLACEMENT_RECLAIM_AFTER) < 0) {
            throw new ConfigException("placement-reclaim-after", placementReclaimAfter.toMillis()
                    + "ms (expected: 0s to never release them, or at least 10s: an agent restarting is absent meanwhile)");
        }
    }

    /** {@code dispatch.least-loaded}. */
    record LeastLoaded(Double channelWeight) {
    }

    @JsonCreator
    static DispatchSettings bind(@JsonProperty("max-attempts") Integer maxAttempts,
                                 @JsonProperty("refresh-interval") Duration refreshInterval,
                                 @JsonProperty("require-agent") Boolean requireAgent,
                                 @JsonProperty("redis-timeout") Duration redisTimeout,
                                 @JsonProperty("redis-threads") Integer redisThreads,
                                 @JsonProperty("decisions-kept") Integer decisionsKept,
                                 @JsonProperty("least-loaded") LeastLoaded leastLoaded,
                                 @JsonProperty("default-retry-after") Duration defaultRetryAfter,
                                 @JsonProperty("trust-node-ports") Boolean trustNodePorts,
                                 @JsonProperty("call-state-ttl") Duration callStateTtl,
                                 @JsonProperty("outage-holdover") Duration outageHoldover,
                                 @JsonProperty("placement-reclaim-after") Duration placementReclaimAfter) {
        DispatchSettings d = DEFAULTS;
        return new DispatchSettings(
                Require.intIn("max-attempts", maxAttempts, d.maxAttempts(), 1, 16),
                Require.atLeast("refresh-interval", refreshInterval, d.refreshInterval(), Duration.ofMillis(100)),
                requireAgent == null ? d.requireAgent() : requireAgent,
                Require.atLeast("redis-timeout", redisTimeout, d.redisTimeout(), Duration.ofMillis(10)),
                Require.intIn("redis-threads", redisThreads, d.redisThreads(), 1, 64),
                Require.intIn("decisions-kept", decisionsKept, d.decisionsKept(), 0, 100_000),
                Require.numberIn("least-loaded.channel-weight", leastLoaded == null ? null
                        : leastLoaded.channelWeight(), d.channelWeight(), 0, 1),
                defaultRetryAfter == null ? d.defaultRetryAfter() : defaultRetryAfter,
                trustNodePorts == null ? d.trustNodePorts() : trustNodePorts,
                Require.atLeast("call-state-ttl", callStateTtl, d.callStateTtl(), Duration.ofSeconds(40)),
                outageHoldover == null ? d.outageHoldover() : outageHoldover,
                placementReclaimAfter == null ? d.placementReclaimAfter() : placementReclaimAfter);
    }
}
