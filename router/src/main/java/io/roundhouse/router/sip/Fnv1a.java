package io.roundhouse.router.sip;

/**
 * FNV-1a, 64-bit: the router's one hash of message bytes and keys (the shed door's fingerprints, completed
 * transactions' index, the hash strategy's ring), with MurmurHash3's 64-bit finalizer for those that use the low bits,
 * which FNV alone leaves too regular for similar inputs.
 */
public final class Fnv1a {

    /** The offset basis: where a hash starts. */
    public static final long OFFSET = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;

    private Fnv1a() {
    }

    /** {@code h} continued over one value: an octet ({@code b & 0xff}) or, for a key of chars, a char. */
    public static long step(long h, int value) {
        return (h ^ value) * PRIME;
    }

    /** {@code h} continued over {@code bytes}. */
    public static long of(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = step(h, b & 0xff);
        }
        return h;
    }

    /** {@code h} continued over the chars of {@code s}. */
    public static long of(long h, String s) {
        for (int i = 0; i < s.length(); i++) {
            h = step(h, s.charAt(i));
        }
        return h;
    }

    /** MurmurHash3's 64-bit finalizer (fmix64): every bit of {@code h} reaches every bit of the result. */
    public static long finish(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
