package io.roundhouse.router.interop;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded random damage to valid SIP messages, of the kinds met on real networks and in attacks: bit flips, byte
 * deletions and duplications, truncation, CRLF damage, huge headers, absurd numbers and plain garbage. The same seed
 * gives the same sequence, so a failure is reproducible.
 */
final class DatagramMutator {

    /** Below the UDP payload limit of 65,507 bytes but above the router's 64 KiB message limit. */
    private static final int HUGE_HEADER_BYTES = 65_400;

    private final Random random;

    DatagramMutator(long seed) {
        this.random = new Random(seed);
    }

    /** One to three mutations of a copy of {@code message}; never returns an empty array. */
    byte[] mutate(byte[] message) {
        byte[] out = message;
        int rounds = 1 + random.nextInt(3);
        for (int i = 0; i < rounds; i++) {
            out = mutateOnce(out);
        }
        return out.length == 0 ? new byte[] {(byte) random.nextInt(256)} : out;
    }

    private byte[] mutateOnce(byte[] in) {
        if (in.length == 0) {
            return garbage();
        }
        return switch (random.nextInt(12)) {
            case 0 -> flipBits(in);
            case 1 -> randomBytes(in);
            case 2 -> delete(in);
            case 3 -> duplicate(in);
            case 4 -> Arrays.copyOf(in, random.nextInt(in.length)); // truncation
            case 5 -> damageLineEnds(in);
            case 6 -> hugeHeader(in);
            case 7 -> absurdNumber(in);
            case 8 -> garbage();
            case 9 -> insertAt(in, random.nextInt(in.length + 1), pick("\r\n", "\r", "\n", "\r\n\r\n", ":", ";",
                    ",", "<", ">", "\"", "\0", " ", "\t", "%", "\u00ff"));
            case 10 -> replaceFirst(in, pick("SIP/2.0", "INVITE", "Via:", "CSeq:", "Call-ID:", "Content-Length:",
                    "Max-Forwards:", "branch=", "z9hG4bK", "sip:", "To:", "From:", "tag="), pick("", "SIP/3.0",
                    "X", "INVITE INVITE", "Via: ,", "CSeq: -1", "Call-ID:", "Content-Length: 99999999999",
                    "Max-Forwards: -5", "branch=", "sips:", "[::1]", ";;;;"));
            default -> flipBits(in);
        };
    }

    private byte[] flipBits(byte[] in) {
        byte[] out = in.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int at = random.nextInt(out.length);
            out[at] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    private byte[] randomBytes(byte[] in) {
        byte[] out = in.clone();
        int count = 1 + random.nextInt(16);
        for (int i = 0; i < count; i++) {
            out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        }
        return out;
    }

    private byte[] delete(byte[] in) {
        int from = random.nextInt(in.length);
        int length = 1 + random.nextInt(Math.min(64, in.length - from));
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        out.write(in, 0, from);
        out.write(in, from + length, in.length - from - length);
        return out.toByteArray();
    }

    private byte[] duplicate(byte[] in) {
        int from = random.nextInt(in.length);
        int length = 1 + random.nextInt(Math.min(200, in.length - from));
        int times = 1 + random.nextInt(random.nextInt(10) == 0 ? 200 : 3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(in, 0, from + length);
        for (int i = 0; i < times && out.size() < 60_000; i++) {
            out.write(in, from, length);
        }
        out.write(in, from + length, in.length - from - length);
        return out.toByteArray();
    }

    private byte[] damageLineEnds(byte[] in) {
        String text = new String(in, StandardCharsets.ISO_8859_1);
        String damaged = switch (random.nextInt(4)) {
            case 0 -> text.replace("\r\n", "\n");
            case 1 -> text.replace("\r\n\r\n", "\r\n");
            case 2 -> text.replaceFirst("\r\n", "\r");
            default -> text.replace("\r\n", "\r\n\r\n");
        };
        return damaged.getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] hugeHeader(byte[] in) {
        int size = random.nextBoolean() ? HUGE_HEADER_BYTES - in.length : 1 + random.nextInt(8_000);
        byte[] value = new byte[Math.max(1, size)];
        Arrays.fill(value, (byte) 'a');
        String name = pick("X-Huge: ", "Via: SIP/2.0/UDP ", "Route: <sip:", "Subject: ", "Contact: <sip:");
        byte[] header = concat(name.getBytes(StandardCharsets.US_ASCII), value, "\r\n".getBytes(StandardCharsets.US_ASCII));
        int lineEnd = indexOf(in, "\r\n".getBytes(StandardCharsets.US_ASCII));
        return insertAt(in, lineEnd < 0 ? in.length : lineEnd + 2, header);
    }

    private byte[] absurdNumber(byte[] in) {
        String text = new String(in, StandardCharsets.ISO_8859_1);
        String number = pick("-1", "0", "4294967296", "99999999999999999999999", "00000000000000000070", "1e9",
                "0x10", "", " ");
        String header = pick("Content-Length: ", "l: ", "CSeq: ", "Max-Forwards: ", "Expires: ");
        int at = text.indexOf(header);
        if (at < 0) {
            return (text + header + number + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }
        int valueStart = at + header.length();
        int valueEnd = valueStart;
        while (valueEnd < text.length() && Character.isDigit(text.charAt(valueEnd))) {
            valueEnd++;
        }
        return (text.substring(0, valueStart) + number + text.substring(valueEnd)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private byte[] garbage() {
        byte[] out = new byte[1 + random.nextInt(random.nextInt(20) == 0 ? 60_000 : 1_500)];
        random.nextBytes(out);
        return out;
    }

    private byte[] replaceFirst(byte[] in, String target, String replacement) {
        String text = new String(in, StandardCharsets.ISO_8859_1);
        return text.replaceFirst(java.util.regex.Pattern.quote(target),
                java.util.regex.Matcher.quoteReplacement(replacement)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] insertAt(byte[] in, int at, String text) {
        return insertAt(in, at, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static byte[] insertAt(byte[] in, int at, byte[] insert) {
        return concat(Arrays.copyOfRange(in, 0, at), insert, Arrays.copyOfRange(in, at, in.length));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.write(part, 0, part.length);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] in, byte[] target) {
        outer:
        for (int i = 0; i <= in.length - target.length; i++) {
            for (int j = 0; j < target.length; j++) {
                if (in[i + j] != target[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }
}
