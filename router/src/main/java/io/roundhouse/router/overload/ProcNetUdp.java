package io.roundhouse.router.overload;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Reads the socket lines of Linux's {@code /proc/net/udp} and {@code /proc/net/udp6} (one line a socket, written by the
 * kernel's {@code udp4_format_sock} / {@code ip6_dgram_sock_seq_show}):
 *
 * <pre>
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 * 4197: 0100007F:9BD6 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 429701 2 00000000eb40d1dd 0
 * </pre>
 *
 * <p>An address is its 32-bit words each printed {@code %08X} in the host's byte order, a port {@code %04X}, the queues
 * {@code %08X} in bytes ({@code rx_queue} is what waits to be read, counted as the receive buffer counts it, so it
 * compares with the socket's {@code SO_RCVBUF} as {@code getsockopt} reports it), inode and drops in decimal.
 *
 * <p>Sampled many times a second off the event loop: the text is parsed in place, field by field, into one reused
 * {@link Line}, so a sample allocates nothing per socket line.
 */
final class ProcNetUdp {

    /** Column of each field, counted from 0 after splitting a line on spaces. */
    private static final int LOCAL = 1;
    private static final int QUEUES = 4;
    private static final int INODE = 9;
    private static final int DROPS = 12;

    private ProcNetUdp() {
    }

    /** One socket line, overwritten for each line (never kept by a visitor). */
    static final class Line {
        /** How the kernel that wrote the file holds a 32-bit word: this host's order, but for tests' fixtures. */
        private final boolean littleEndian;
        /** The local address in network order: 4 bytes ({@code udp}) or 16 ({@code udp6}). */
        final byte[] address = new byte[16];
        int addressLength;
        int port;
        long rxQueue;
        long inode;
        long drops;

        /** For the files of this host's kernel. */
        Line() {
            this(ByteOrder.nativeOrder());
        }

        /** For files a kernel of {@code hostOrder} wrote. */
        Line(ByteOrder hostOrder) {
            this.littleEndian = hostOrder == ByteOrder.LITTLE_ENDIAN;
        }

        /**
         * True when this socket's local address is {@code local}: the same port, and the same address, an IPv4
         * address matching its IPv4-mapped IPv6 form (a dual-stack socket) and any wildcard matching any other.
         */
        boolean isBoundTo(InetSocketAddress local) {
            if (local.getPort() != port) {
                return false;
            }
            InetAddress want = local.getAddress();
            if (want.isAnyLocalAddress() || isAny()) {
                return want.isAnyLocalAddress() && isAny();
            }
            byte[] w = want.getAddress();
            if (w.length == addressLength) {
                return Arrays.equals(address, 0, addressLength, w, 0, w.length);
            }
            return w.length == 4 && addressLength == 16 && isV4Mapped()
                    && Arrays.equals(address, 12, 16, w, 0, 4);
        }

        private boolean isAny() {
            for (int i = 0; i < addressLength; i++) {
                if (address[i] != 0) {
                    return false;
                }
            }
            return true;
        }

        private boolean isV4Mapped() {
            for (int i = 0; i < 10; i++) {
                if (address[i] != 0) {
                    return false;
                }
            }
            return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
        }

        /** The local address, for log lines and tests (allocates). */
        InetSocketAddress local() {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(address, addressLength)), port);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException("address of " + addressLength + " bytes", e);
            }
        }
    }

    /** Receives each socket line of a file. */
    interface Visitor {
        void socket(Line line);
    }

    /**
     * Calls {@code visitor} for each well-formed socket line of {@code text[0, length)} (the header line and lines that
     * do not have the fields above are skipped). Returns how many socket lines were read.
     */
    static int parse(byte[] text, int length, Line line, Visitor visitor) {
        int count = 0;
        int pos = 0;
        while (pos < length) {
            int end = pos;
            while (end < length && text[end] != '\n') {
                end++;
            }
            if (parseLine(text, pos, end, line)) {
                visitor.socket(line);
                count++;
            }
            pos = end + 1;
        }
        return count;
    }

    /** Fills {@code line} from {@code text[from, to)}; false when it is not a socket line. */
    private static boolean parseLine(byte[] text, int from, int to, Line line) {
        int field = 0;
        int pos = from;
        boolean sawDrops = false;
        while (pos < to) {
            while (pos < to && text[pos] == ' ') {
                pos++;
            }
            if (pos >= to) {
                break;
            }
            int start = pos;
            while (pos < to && text[pos] != ' ') {
                pos++;
            }
            switch (field) {
                case 0 -> {
                    if (text[pos - 1] != ':') {
                        return false; // the header line ("sl ...")
                    }
                }
                case LOCAL -> {
                    if (!address(text, start, pos, line)) {
                        return false;
                    }
                }
                case QUEUES -> {
                    int colon = indexOf(text, start, pos, (byte) ':');
                    if (colon < 0) {
                        return false;
                    }
                    line.rxQueue = hex(text, colon + 1, pos);
                    if (line.rxQueue < 0) {
                        return false;
                    }
                }
                case INODE -> {
                    line.inode = decimal(text, start, pos);
                    if (line.inode < 0) {
                        return false;
                    }
                }
                case DROPS -> {
                    line.drops = decimal(text, start, pos);
                    sawDrops = line.drops >= 0;
                }
                default -> {
                }
            }
            field++;
        }
        return sawDrops;
    }

    /** {@code HEX:PORT} with 8 or 32 hex digits of address. */
    private static boolean address(byte[] text, int from, int to, Line line) {
        int colon = indexOf(text, from, to, (byte) ':');
        int digits = colon - from;
        if (colon < 0 || (digits != 8 && digits != 32)) {
            return false;
        }
        line.addressLength = digits / 2;
        for (int word = 0; word < digits / 8; word++) {
            long value = hex(text, from + word * 8, from + word * 8 + 8);
            if (value < 0) {
                return false;
            }
            for (int b = 0; b < 4; b++) {
                // The kernel prints each 32-bit word as the host holds it: on little-endian hosts the first byte of
                // the address on the wire is the word's lowest byte.
                int shift = line.littleEndian ? 8 * b : 8 * (3 - b);
                line.address[word * 4 + b] = (byte) (value >>> shift);
            }
        }
        long port = hex(text, colon + 1, to);
        if (port < 0 || port > 0xffff) {
            return false;
        }
        line.port = (int) port;
        return true;
    }

    private static int indexOf(byte[] text, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (text[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** The hex number in {@code text[from, to)}, or -1 when it is empty, too long or not hex. */
    private static long hex(byte[] text, int from, int to) {
        if (to <= from || to - from > 15) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(text[i], 16);
            if (d < 0) {
                return -1;
            }
            value = value << 4 | d;
        }
        return value;
    }

    /** The decimal number in {@code text[from, to)}, or -1. */
    private static long decimal(byte[] text, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int d = text[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }
}
