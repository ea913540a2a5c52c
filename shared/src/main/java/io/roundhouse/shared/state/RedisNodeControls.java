package io.roundhouse.shared.state;

import java.util.Optional;

/** Operator wishes as plain Redis strings without TTL, so that {@code redis-cli SET} is the whole operator interface. */
final class RedisNodeControls implements NodeControls {

    private final RedisGateway redis;
    private final RedisKeys keys;

    RedisNodeControls(RedisGateway redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void set(String nodeId, NodeStatus wanted) {
        ContractNames.requireWord("node id", nodeId);
        if (wanted == NodeStatus.UNREACHABLE) {
            throw new IllegalArgumentException("control of " + nodeId + ": unreachable (expected: active, draining,"
                    + " drained or disabled; unreachable is reported by the agent)");
        }
        String key = keys.control(nodeId);
        redis.call("set control", key, c -> c.set(key, wanted.wireName()));
    }

    /** The wish; a value an operator mistyped is a {@link MalformedStateException} quoting it. */
    @Override
    public Optional<NodeStatus> get(String nodeId) {
        ContractNames.requireWord("node id", nodeId);
        String key = keys.control(nodeId);
        String value = redis.call("read control", key, c -> c.get(key));
        if (value == null) {
            return Optional.empty();
        }
        NodeStatus wish;
        try {
            wish = NodeStatus.fromWire(value.trim());
        } catch (IllegalArgumentException e) {
            throw new MalformedStateException(key + ": " + e.getMessage(), e);
        }
        if (wish == NodeStatus.UNREACHABLE) {
            throw new MalformedStateException(key + ": " + value.trim()
                    + " (expected: active, draining, drained or disabled; unreachable is reported by the agent)");
        }
        return Optional.of(wish);
    }

    @Override
    public void clear(String nodeId) {
        ContractNames.requireWord("node id", nodeId);
        String key = keys.control(nodeId);
        redis.call("clear control", key, c -> c.del(key));
    }
}
