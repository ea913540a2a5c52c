package io.roundhouse.shared.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Placements in one Redis hash (placement key to node id). Each write is one Lua script that checks, writes and
 * publishes its event, so two routers never split a room and no event announces a write that did not happen.
 */
final class RedisPlacements implements Placements {

    // KEYS: placements. ARGV: key, node, channel. Returns {owner, 1 if this call placed it}.
    private static final LuaScript CLAIM = LuaScript.of("claim placement", ""
            + "local cur = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if cur then return {cur, 0} end\n"
            + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "redis.call('PUBLISH', ARGV[3], 'room-placed ' .. ARGV[1] .. ' ' .. ARGV[2])\n"
            + "return {ARGV[2], 1}\n");

    // KEYS: placements. ARGV: key, from, to, channel. Returns {owner or '', 1 if this call moved it}.
    private static final LuaScript MOVE = LuaScript.of("move placement", ""
            + "local cur = redis.call('HGET', KEYS[1], ARGV[1])\n"
            + "if cur ~= ARGV[2] then return {cur or '', 0} end\n"
            + "if ARGV[2] ~= ARGV[3] then\n"
            + "  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])\n"
            + "  redis.call('PUBLISH', ARGV[4], 'room-moved ' .. ARGV[1] .. ' ' .. ARGV[3])\n"
            + "end\n"
            + "return {ARGV[3], 1}\n");

    // KEYS: placements. ARGV: key, node, channel. Returns 1 when deleted.
    private static final LuaScript RELEASE = LuaScript.of("release placement", ""
            + "if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end\n"
            + "redis.call('HDEL', KEYS[1], ARGV[1])\n"
            + "redis.call('PUBLISH', ARGV[3], 'room-released ' .. ARGV[1] .. ' ' .. ARGV[2])\n"
            + "return 1\n");

    private final RedisGateway redis;
    private final RedisKeys keys;

    RedisPlacements(RedisGateway redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    @Override
    public Optional<String> lookup(String key) {
        ContractNames.requireWord("placement key", key);
        String hash = keys.placements();
        return Optional.ofNullable(redis.call("lookup placement", hash + " " + key, c -> c.hget(hash, key)));
    }

    @Override
    public Claim claim(String key, String nodeId) {
        ContractNames.requireWord("placement key", key);
        ContractNames.requireWord("node id", nodeId);
        List<?> r = run(CLAIM, key, List.of(key, nodeId, keys.events()));
        return new Claim((String) r.get(0), ((Long) r.get(1)) == 1L);
    }

    /** Moves only from {@code fromNodeId}; when the key is no longer placed at all, the result's owner is null. */
    @Override
    public Move move(String key, String fromNodeId, String toNodeId) {
        ContractNames.requireWord("placement key", key);
        ContractNames.requireWord("node id", fromNodeId);
        ContractNames.requireWord("node id", toNodeId);
        List<?> r = run(MOVE, key, List.of(key, fromNodeId, toNodeId, keys.events()));
        String owner = (String) r.get(0);
        return new Move(owner.isEmpty() ? null : owner, ((Long) r.get(1)) == 1L);
    }

    @Override
    public boolean release(String key, String nodeId) {
        ContractNames.requireWord("placement key", key);
        ContractNames.requireWord("node id", nodeId);
        String hash = keys.placements();
        Object r = redis.eval(RELEASE, hash + " " + key, List.of(hash), List.of(key, nodeId, keys.events()));
        return ((Long) r) == 1L;
    }

    @Override
    public Map<String, String> readAll() {
        String hash = keys.placements();
        return Map.copyOf(redis.call("read placements", hash, c -> c.hgetAll(hash)));
    }

    private List<?> run(LuaScript script, String key, List<String> args) {
        String hash = keys.placements();
        return (List<?>) redis.eval(script, hash + " " + key, List.of(hash), args);
    }
}
