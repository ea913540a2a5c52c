package io.roundhouse.router.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Seeded random mutations and truncations of valid messages, for robustness tests. */
public final class Mutator {

    private static final String[] NASTY = {"\r\n", "\r\n ", ",", ";", "<", ">", "\"", ":", "0", "99999999999999",
            "-1", "[", "]", "%", "\u0000", "\u00ff", "SIP/2.0", "z9hG4bK", " ", "\t", "@", "sip:", ";lr", "=="};

    private final Random random;

    public Mutator(long seed) {
        this.random = new Random(seed);
    }

    /** One mutated copy of {@code message}. */
    public byte[] mutate(byte[] message) {
        byte[] m = message.clone();
        int kind = random.nextInt(7);
        int n = m.length;
        if (n == 0) {
            return m;
        }
        switch (kind) {
            case 0 -> { // flip a few bytes
                for (int i = 0, k = 1 + random.nextInt(5); i < k; i++) {
                    m[random.nextInt(n)] = (byte) random.nextInt(256);
                }
                return m;
            }
            case 1 -> { // truncate
                byte[] t = new byte[random.nextInt(n)];
                System.arraycopy(m, 0, t, 0, t.length);
                return t;
            }
            case 2 -> { // delete a range
                int from = random.nextInt(n);
                int len = Math.min(n - from, 1 + random.nextInt(40));
                return splice(m, from, len, new byte[0]);
            }
            case 3 -> { // duplicate a range
                int from = random.nextInt(n);
                int len = Math.min(n - from, 1 + random.nextInt(80));
                byte[] copy = new byte[len];
                System.arraycopy(m, from, copy, 0, len);
                return splice(m, from, 0, copy);
            }
            case 4 -> { // insert something nasty
                byte[] nasty = NASTY[random.nextInt(NASTY.length)].getBytes(StandardCharsets.ISO_8859_1);
                return splice(m, random.nextInt(n), 0, nasty);
            }
            case 5 -> { // replace a range by something nasty
                int from = random.nextInt(n);
                int len = Math.min(n - from, 1 + random.nextInt(10));
                return splice(m, from, len, NASTY[random.nextInt(NASTY.length)].getBytes(StandardCharsets.ISO_8859_1));
            }
            default -> { // several mutations
                byte[] x = m;
                for (int i = 0; i < 3; i++) {
                    x = mutate(x);
                }
                return x;
            }
        }
    }

    private static byte[] splice(byte[] m, int from, int deleteLength, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(m.length + insert.length);
        out.write(m, 0, from);
        out.write(insert, 0, insert.length);
        out.write(m, from + deleteLength, m.length - from - deleteLength);
        return out.toByteArray();
    }
}
