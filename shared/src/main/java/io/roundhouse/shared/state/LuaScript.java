package io.roundhouse.shared.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run atomically by Redis, called by its SHA1 ({@code EVALSHA}) so that the body travels only after a
 * restart of Redis flushed the script cache.
 *
 * @param name   short name used in error messages
 * @param source the Lua body
 * @param sha1   hex SHA1 of the body, as Redis computes it
 */
record LuaScript(String name, String source, String sha1) {

    static LuaScript of(String name, String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new LuaScript(name, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-1 (java.security.MessageDigest Javadoc).
            throw new IllegalStateException("SHA-1 unavailable", e);
        }
    }
}
