package io.roundhouse.shared.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Node heartbeats in Redis: one hash per node with a TTL, written with its index entry and its events in one script,
 * so a reader never sees half a state and an event is never seen before the state it announces.
 */
final class RedisNodeStates implements NodeStates {

    private static final Logger log = LoggerFactory.getLogger(RedisNodeStates.class);

    /** Redis time in milliseconds, from the server's clock, which is also the clock of PEXPIRE. */
    static final String NOW = "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

    // KEYS: node hash, index. ARGV: ttl ms, id, channel, status, field/value pairs...
    // HSET in chunks: Lua's unpack() has a small stack limit and a node may host thousands of rooms.
    private static final LuaScript PUBLISH = LuaScript.of("publish node", ""
            + "local old = redis.call('HGET', KEYS[1], 'status')\n"
            + "redis.call('DEL', KEYS[1])\n"
            + "local n = #ARGV\n"
            + "local i = 5\n"
            + "while i <= n do\n"
            + "  local j = math.min(i + 199, n)\n"
            + "  redis.call('HSET', KEYS[1], unpack(ARGV, i, j))\n"
            + "  i = j + 1\n"
            + "end\n"
            + "local ttl = tonumber(ARGV[1])\n"
            + "redis.call('PEXPIRE', KEYS[1], ttl)\n"
            + NOW
            + "redis.call('ZADD', KEYS[2], now + ttl, ARGV[2])\n"
            + "local status = ARGV[4]\n"
            + "if not old then\n"
            + "  redis.call('PUBLISH', ARGV[3], 'node-up ' .. ARGV[2])\n"
            + "  if status ~= 'active' then redis.call('PUBLISH', ARGV[3], 'node-draining ' .. ARGV[2]) end\n"
            + "elseif old ~= status then\n"
            + "  if status == 'active' then redis.call('PUBLISH', ARGV[3], 'node-up ' .. ARGV[2])\n"
            + "  else redis.call('PUBLISH', ARGV[3], 'node-draining ' .. ARGV[2]) end\n"
            + "end\n"
            + "return 1\n");

    // KEYS: index. Drops the entries of expired nodes, returns the others.
    private static final LuaScript LIVE_IDS = LuaScript.of("list nodes", NOW
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "return redis.call('ZRANGE', KEYS[1], 0, -1)\n");

    // KEYS: node hash, index. ARGV: id, channel.
    private static final LuaScript REMOVE = LuaScript.of("remove node", ""
            + "redis.call('DEL', KEYS[1])\n"
            + "redis.call('ZREM', KEYS[2], ARGV[1])\n"
            + "redis.call('PUBLISH', ARGV[2], 'node-down ' .. ARGV[1])\n"
            + "return 1\n");

    private final RedisGateway redis;
    private final RedisKeys keys;

    RedisNodeStates(RedisGateway redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public void publish(NodeState state, Duration ttl) {
        if (ttl == null || ttl.toMillis() <= 0) {
            throw new IllegalArgumentException("node " + state.id() + ": ttl " + ttl + " (expected: at least 1 ms)");
        }
        Map<String, String> hash = NodeHash.encode(state);
        List<String> args = new ArrayList<>(4 + 2 * hash.size());
        args.add(Long.toString(ttl.toMillis()));
        args.add(state.id());
        args.add(keys.events());
        args.add(state.status().wireName());
        hash.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        String key = keys.node(state.id());
        redis.eval(PUBLISH, key, List.of(key, keys.nodeIndex()), args);
    }

    @Override
    public Optional<NodeState> read(String nodeId) {
        ContractNames.requireWord("node id", nodeId);
        String key = keys.node(nodeId);
        Map<String, String> hash = redis.call("read node", key, c -> c.hgetAll(key));
        return hash.isEmpty() ? Optional.empty() : Optional.of(NodeHash.decode(key, hash));
    }

    /**
     * Every live node. A node whose hash does not follow the contract is left out and logged, so that one bad writer
     * cannot blind every router.
     */
    @Override
    public List<NodeState> readAll() {
        String index = keys.nodeIndex();
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) redis.eval(LIVE_IDS, index, List.of(index), List.of());
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Map<String, String>> hashes = redis.call("read nodes", index, c -> {
            try (AbstractPipeline p = c.pipelined()) {
                List<Response<Map<String, String>>> responses = new ArrayList<>(ids.size());
                for (String id : ids) {
                    responses.add(p.hgetAll(keys.node(id)));
                }
                p.sync();
                return responses.stream().map(Response::get).toList();
            }
        });
        List<NodeState> nodes = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            Map<String, String> hash = hashes.get(i);
            if (hash.isEmpty()) {
                continue; // expired between the index read and this one
            }
            try {
                nodes.add(NodeHash.decode(keys.node(ids.get(i)), hash));
            } catch (MalformedStateException e) {
                log.warn("skipping node {}: {}", ids.get(i), e.getMessage());
            }
        }
        return List.copyOf(nodes);
    }

    @Override
    public void remove(String nodeId) {
        ContractNames.requireWord("node id", nodeId);
        String key = keys.node(nodeId);
        redis.eval(REMOVE, key, List.of(key, keys.nodeIndex()), List.of(nodeId, keys.events()));
    }
}
