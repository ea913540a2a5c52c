package io.roundhouse.shared.state;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operator wishes as plain Redis strings without TTL, so that {@code redis-cli SET} is a complete operator interface;
 * written through the API they are also announced on the event channel, so routers re-read the node at once instead
 * of at their next full refresh.
 */
final class RedisNodeControls implements NodeControls {

    private static final Logger log = LoggerFactory.getLogger(RedisNodeControls.class);

    // KEYS: control key. ARGV: value (empty: delete), event channel, event line.
    private static final LuaScript WRITE = LuaScript.of("write control", ""
            + "if ARGV[1] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[1]) end\n"
            + "redis.call('PUBLISH', ARGV[2], ARGV[3])\n"
            + "return 1\n");

    private final RedisGateway redis;
    private final RedisKeys keys;

    RedisNodeControls(RedisGateway redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void set(String nodeId, NodeStatus wanted) {
        if (wanted == NodeStatus.UNREACHABLE) {
            throw new IllegalArgumentException("control of " + nodeId + ": unreachable (expected: active, draining,"
                    + " drained or disabled; unreachable is reported by the agent)");
        }
        write(nodeId, wanted.wireName(), wanted == NodeStatus.ACTIVE ? StateEvent.Type.NODE_UP
                : StateEvent.Type.NODE_DRAINING);
    }

    /** The wish; a value an operator mistyped is a {@link MalformedStateException} quoting it. */
    @Override
    public Optional<NodeStatus> get(String nodeId) {
        ContractNames.requireWord("node id", nodeId);
        String key = keys.control(nodeId);
        String value = redis.call("read control", key, c -> c.get(key));
        return value == null ? Optional.empty() : Optional.of(decode(key, value));
    }

    @Override
    public Map<String, NodeStatus> readAll(Collection<String> nodeIds) {
        if (nodeIds.isEmpty()) {
            return Map.of();
        }
        List<String> ids = new ArrayList<>(nodeIds);
        String[] controlKeys = new String[ids.size()];
        for (int i = 0; i < ids.size(); i++) {
            ContractNames.requireWord("node id", ids.get(i));
            controlKeys[i] = keys.control(ids.get(i));
        }
        List<String> values = redis.call("read controls", controlKeys[0], c -> c.mget(controlKeys));
        Map<String, NodeStatus> out = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            if (values.get(i) == null) {
                continue;
            }
            try {
                out.put(ids.get(i), decode(controlKeys[i], values.get(i)));
            } catch (MalformedStateException e) {
                log.warn("ignoring control of node {}: {}", ids.get(i), e.getMessage());
            }
        }
        return out;
    }

    @Override
    public void clear(String nodeId) {
        write(nodeId, "", StateEvent.Type.NODE_UP);
    }

    private void write(String nodeId, String value, StateEvent.Type event) {
        ContractNames.requireWord("node id", nodeId);
        String key = keys.control(nodeId);
        redis.eval(WRITE, key, List.of(key), List.of(value, keys.events(), event.wireName() + " " + nodeId));
    }

    private static NodeStatus decode(String key, String value) {
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
        return wish;
    }
}
