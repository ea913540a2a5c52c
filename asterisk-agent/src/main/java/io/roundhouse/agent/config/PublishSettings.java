package io.roundhouse.agent.config;

import java.time.Duration;

/**
 * The {@code publish:} block: how often the node state is written to Redis.
 *
 * @param interval     heartbeat period: the state is written at least this often
 * @param ttl          lifetime of each write; a node whose agent stops is gone from the routers' pool after it
 * @param debounce     a change is written at most this long after it happened, coalescing bursts of changes
 * @param retryMin     first delay before retrying after Redis failed
 * @param retryMax     cap of the retry delay
 */
public record PublishSettings(Duration interval, Duration ttl, Duration debounce, Duration retryMin,
                              Duration retryMax) {
}
