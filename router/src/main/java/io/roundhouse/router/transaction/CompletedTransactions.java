package io.roundhouse.router.transaction;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.roundhouse.router.sip.Fnv1a;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Server transactions that have sent their final response and only absorb retransmitted requests: RFC 3261 §17.2.2
 * Completed (Timer J) and RFC 6026 §8.5 Accepted (Timer L), each 64*T1 (32 s at default timers). A retransmitted
 * non-INVITE gets the last response again; a retransmitted INVITE after a 2xx is absorbed silently.
 *
 * <p>At thousands of calls per second these 32 s were most of the router's live heap, and what G1 copied in every
 * young pause (docs/performance.md, "Live set of completed transactions"). So a completed transaction is no object:
 * it is a record of bytes (its key, when it ends, and for a non-INVITE the response and where it went) appended to a
 * log of fixed-size chunks, found through an open-addressing index of primitive arrays. All records live the same
 * 64*T1, so completion order is expiry order: the log's head is always the next to end, and a chunk is dropped whole
 * once its records have ended, to be reused. Nothing per transaction is left for the collector to trace, and under
 * G1 the chunks themselves are allocated in the old generation ({@link #chunkBytesForThisHeap()}), never copied.
 *
 * <p>Bounded: past {@code maxRecords} records or {@code maxBytes} of chunks the oldest records end early (counted by
 * {@link #endedEarly()}); a retransmission arriving after that is handled as a new request, as after Timer J.
 * Only touched on the event loop.
 */
final class CompletedTransactions {

    /** Chunk size where the collector is not G1 (or its region size cannot be read). */
    static final int DEFAULT_CHUNK_BYTES = 1 << 18;
    private static final int HEADER = 25;
    /** Record length that marks the rest of a chunk as unused (the next record did not fit). */
    private static final int SKIP = -1;
    private static final int SPARE_CHUNKS = 4;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final Transport[] TRANSPORTS = Transport.values();
    private static final int LATIN1 = 0;
    private static final int UTF16 = 1;

    private final int maxRecords;
    private final int chunkBytes;
    private final byte[][] chunks;
    /**
     * Chunks whose records have all ended, for the next ones: under steady load no chunk is allocated, and the chunks
     * in use, once promoted to the old generation, are never copied by a young collection again.
     */
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>(SPARE_CHUNKS);
    /**
     * The UDP sockets resends leave from, as a record names them (its index + 1; 0: the sender's choice): a router
     * has a few listen points, so a byte a record, not a channel, keeps a resend on its request's socket.
     */
    private final List<Channel> sockets = new ArrayList<>();
    /** Keyed hash: a sender cannot choose branches that collide in the index (linear probing would degrade). */
    private final long seed;

    /** Log positions: byte offsets since the start, never reused; chunk = position / chunkBytes mod chunks. */
    private long head;
    private long tail;
    private int count;
    /** Written on the event loop only, read by metrics: volatile, so a read from another thread is not stale. */
    private volatile long endedEarly;
    private long chunksAllocated;

    /** Index slots: the record's position + 1 (0: empty) and its hash. */
    private long[] positions;
    private int[] hashes;

    /**
     * @param maxRecords records kept at most (the index holds twice as many slots)
     * @param maxBytes   bytes of records kept at most, rounded up to whole chunks
     * @param chunkBytes the size of a chunk ({@link #chunkBytesForThisHeap()} in the router)
     */
    CompletedTransactions(int maxRecords, long maxBytes, int chunkBytes) {
        if (maxRecords < 1 || maxBytes < 1 || chunkBytes < 1024) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be positive, chunkBytes at least 1024");
        }
        this.maxRecords = maxRecords;
        this.chunkBytes = chunkBytes;
        // One chunk more than the bound: the chunk being written is never the one being read at the head.
        this.chunks = new byte[(int) Math.min(Integer.MAX_VALUE - 8, (maxBytes + chunkBytes - 1) / chunkBytes + 1)][];
        this.seed = new SecureRandom().nextLong();
        // Twice the records expected at first, a power of two; it doubles when half full.
        int slots = 2 * Integer.highestOneBit(Math.max(1024, Math.min(maxRecords, 1 << 16)) * 2 - 1);
        this.positions = new long[slots];
        this.hashes = new int[slots];
    }

    /**
     * Under G1, a chunk just under one heap region: G1 allocates an object of half a region or more directly in the
     * old generation ("humongous"), so no young collection ever copies a chunk, even while the log grows after an
     * idle spell (when chunks are new and, as ordinary objects, would be copied up to 15 times before promotion).
     * One region less a margin for the array header, so that a chunk takes exactly one region.
     */
    static int chunkBytesForThisHeap() {
        try {
            var vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (!Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
                return DEFAULT_CHUNK_BYTES;
            }
            long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
            return region >= (1 << 20) && region <= (1 << 30) ? (int) region - 1024 : DEFAULT_CHUNK_BYTES;
        } catch (RuntimeException e) {
            return DEFAULT_CHUNK_BYTES; // no HotSpot diagnostics on this JVM: ordinary chunks
        }
    }

    /** Records kept now. */
    int size() {
        return count;
    }

    /** Bytes of chunks held now, spare ones included. */
    long heldBytes() {
        long n = (long) spare.size() * chunkBytes;
        for (byte[] c : chunks) {
            if (c != null) {
                n += c.length;
            }
        }
        return n;
    }

    /** Chunks allocated so far (not reused ones). */
    long chunksAllocated() {
        return chunksAllocated;
    }

    /** Records that ended before their time because a bound was reached. */
    long endedEarly() {
        return endedEarly;
    }

    /** When the oldest record ends, on the scheduler's clock; only meaningful when {@link #size()} is not 0. */
    long oldestExpiry() {
        skipPadding();
        return (long) LONG.get(chunk(head), offset(head) + 4);
    }

    /**
     * Keeps {@code key} for absorbing until {@code expiresAtNanos}, which must not be earlier than the last record's.
     *
     * @param resend   the final response to send again (not owned: its bytes are copied), or null to absorb silently
     * @param resendTo where {@code resend} goes, over UDP (a resend exists only over UDP, Timer J is zero over
     *                 reliable transports, §17.2.2), from the socket it names if any
     */
    void add(ServerKey key, long expiresAtNanos, ByteBuf resend, Destination resendTo) {
        if (resend != null && resendTo.transport().reliable()) {
            throw new IllegalArgumentException("a resend over a reliable transport cannot be kept: " + resendTo);
        }
        int keyChars = key.branch().length() + key.sentBy().length() + key.method().length() + 2;
        int width = latin1(key) ? 1 : 2;
        byte[] address = resend == null ? null : resendTo.address().getAddress().getAddress();
        int responseBytes = resend == null ? 0 : resend.readableBytes();
        int length = HEADER + keyChars * width + (address == null ? 0 : address.length) + responseBytes;
        if (keyChars * width > 0xFFFF || responseBytes > 0xFFFF || length > chunkBytes) {
            return; // a key or response no request of this router produces; it is simply not absorbed
        }
        if (count == maxRecords) {
            endOldest();
            endedEarly++;
        }
        if (count == 0) {
            emptied();
        }
        if (chunkBytes - offset(tail) < length) {
            if (chunkBytes - offset(tail) >= 4) {
                INT.set(chunk(tail), offset(tail), SKIP);
            }
            tail += chunkBytes - offset(tail);
        }
        while (count > 0 && tail + length - head > (long) (chunks.length - 1) * chunkBytes) {
            endOldest();
            endedEarly++;
        }
        if (count == 0) {
            emptied();
        }
        int slot = chunkIndex(tail);
        if (chunks[slot] == null) {
            byte[] reused = spare.poll();
            if (reused == null) {
                reused = new byte[chunkBytes];
                chunksAllocated++;
            }
            chunks[slot] = reused;
        }
        byte[] c = chunks[slot];
        int o = offset(tail);
        int hash = hash(key);
        INT.set(c, o, length);
        LONG.set(c, o + 4, expiresAtNanos);
        INT.set(c, o + 12, hash);
        SHORT.set(c, o + 16, (short) (keyChars * width));
        SHORT.set(c, o + 18, (short) responseBytes);
        c[o + 20] = (byte) (width == 1 ? LATIN1 : UTF16);
        c[o + 21] = (byte) (resend == null ? 0 : resendTo.transport().ordinal());
        SHORT.set(c, o + 22, (short) (resend == null ? 0 : resendTo.address().getPort()));
        c[o + 24] = (byte) (resend == null ? 0 : socketNumber(resendTo.connection()));
        int p = o + HEADER;
        p = putChars(c, p, key.branch(), width);
        p = putChars(c, p, "\n", width);
        p = putChars(c, p, key.sentBy(), width);
        p = putChars(c, p, "\n", width);
        p = putChars(c, p, key.method(), width);
        if (resend != null) {
            resend.getBytes(resend.readerIndex(), c, p, responseBytes);
            p += responseBytes;
            System.arraycopy(address, 0, c, p, address.length);
        }
        index(tail, hash);
        tail += length;
        count++;
    }

    /** {@code socket}'s number in the records: 0 for none (or past 255 sockets: then the sender chooses). */
    private int socketNumber(Channel socket) {
        if (socket == null) {
            return 0;
        }
        int i = sockets.indexOf(socket);
        if (i < 0 && sockets.size() < 255) {
            sockets.add(socket);
            i = sockets.size() - 1;
        }
        return i + 1;
    }

    /** True while {@code key} is kept. */
    boolean contains(ServerKey key) {
        return find(key) >= 0;
    }

    /**
     * A request matched a kept record: its response is sent again ({@code allocator} for the copy), or nothing happens
     * for a silent one. False when no record has {@code key}.
     */
    boolean retransmission(ServerKey key, MessageSender sender, ByteBufAllocator allocator) {
        long position = find(key);
        if (position < 0) {
            return false;
        }
        byte[] c = chunk(position);
        int o = offset(position);
        int responseBytes = Short.toUnsignedInt((short) SHORT.get(c, o + 18));
        if (responseBytes == 0) {
            return true;
        }
        int keyBytes = Short.toUnsignedInt((short) SHORT.get(c, o + 16));
        int length = (int) INT.get(c, o);
        int response = o + HEADER + keyBytes;
        int address = response + responseBytes;
        InetAddress ip;
        try {
            ip = InetAddress.getByAddress(Arrays.copyOfRange(c, address, o + length));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a record holds a bad address length", e); // cannot happen: we wrote it
        }
        int socket = Byte.toUnsignedInt(c[o + 24]);
        Destination to = new Destination(TRANSPORTS[c[o + 21]],
                new InetSocketAddress(ip, Short.toUnsignedInt((short) SHORT.get(c, o + 22))),
                socket == 0 ? null : sockets.get(socket - 1));
        ByteBuf copy = allocator.buffer(responseBytes);
        copy.writeBytes(c, response, responseBytes);
        sender.send(copy, to, e -> { });
        return true;
    }

    /** Ends every record whose time has come. */
    void expire(long nowNanos) {
        while (count > 0 && oldestExpiry() - nowNanos <= 0) {
            endOldest();
        }
        if (count == 0) {
            emptied();
        }
    }

    void clear() {
        Arrays.fill(positions, 0);
        count = 0;
        emptied();
    }

    // ---- the log ---------------------------------------------------------------------------------------------------

    private byte[] chunk(long position) {
        return chunks[chunkIndex(position)];
    }

    private int chunkIndex(long position) {
        return (int) ((position / chunkBytes) % chunks.length);
    }

    private int offset(long position) {
        return (int) (position % chunkBytes);
    }

    /** Moves the head past the unused end of its chunk, if it is there. */
    private void skipPadding() {
        int o = offset(head);
        if (chunkBytes - o < 4 || (int) INT.get(chunk(head), o) == SKIP) {
            long next = head + chunkBytes - o;
            release(chunkIndex(head));
            head = next;
        }
    }

    private void endOldest() {
        skipPadding();
        byte[] c = chunk(head);
        int o = offset(head);
        unindex(head, (int) INT.get(c, o + 12));
        long next = head + (int) INT.get(c, o);
        if (next / chunkBytes != head / chunkBytes || offset(next) == 0) {
            release(chunkIndex(head));
        }
        head = next;
        count--;
    }

    private void release(int index) {
        if (spare.size() < SPARE_CHUNKS) {
            spare.push(chunks[index]);
        }
        chunks[index] = null;
    }

    /** No record is kept: every chunk may go (an idle router holds none), and the next record starts a fresh one. */
    private void emptied() {
        Arrays.fill(chunks, null);
        spare.clear();
        tail += offset(tail) == 0 ? 0 : chunkBytes - offset(tail);
        head = tail;
    }

    // ---- the index (linear probing, backward-shift deletion) -------------------------------------------------------

    private long find(ServerKey key) {
        if (count == 0) {
            return -1;
        }
        int hash = hash(key);
        int mask = positions.length - 1;
        for (int i = hash & mask; positions[i] != 0; i = (i + 1) & mask) {
            if (hashes[i] == hash && matches(positions[i] - 1, key)) {
                return positions[i] - 1;
            }
        }
        return -1;
    }

    private void index(long position, int hash) {
        if ((count + 1) * 2 > positions.length) {
            grow();
        }
        int mask = positions.length - 1;
        int i = hash & mask;
        while (positions[i] != 0) {
            i = (i + 1) & mask;
        }
        positions[i] = position + 1;
        hashes[i] = hash;
    }

    private void grow() {
        long[] oldPositions = positions;
        int[] oldHashes = hashes;
        positions = new long[oldPositions.length * 2];
        hashes = new int[oldPositions.length * 2];
        int mask = positions.length - 1;
        for (int j = 0; j < oldPositions.length; j++) {
            if (oldPositions[j] != 0) {
                int i = oldHashes[j] & mask;
                while (positions[i] != 0) {
                    i = (i + 1) & mask;
                }
                positions[i] = oldPositions[j];
                hashes[i] = oldHashes[j];
            }
        }
    }

    private void unindex(long position, int hash) {
        int mask = positions.length - 1;
        int i = hash & mask;
        while (positions[i] != position + 1) {
            i = (i + 1) & mask;
        }
        // Backward shift: move up each later entry of the run that may sit at i, so no probe meets a hole early.
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (positions[j] == 0) {
                break;
            }
            int home = hashes[j] & mask;
            boolean between = i <= j ? i < home && home <= j : i < home || home <= j;
            if (!between) {
                positions[i] = positions[j];
                hashes[i] = hashes[j];
                i = j;
            }
        }
        positions[i] = 0;
    }

    // ---- keys ------------------------------------------------------------------------------------------------------

    private int hash(ServerKey key) {
        long h = Fnv1a.of(Fnv1a.OFFSET ^ seed, key.branch());
        h = Fnv1a.of(Fnv1a.step(h, '\n'), key.sentBy());
        h = Fnv1a.finish(Fnv1a.of(Fnv1a.step(h, '\n'), key.method())); // the low bits pick the slot
        return (int) (h ^ (h >>> 32));
    }

    private boolean matches(long position, ServerKey key) {
        byte[] c = chunk(position);
        int o = offset(position);
        int keyBytes = Short.toUnsignedInt((short) SHORT.get(c, o + 16));
        int width = c[o + 20] == LATIN1 ? 1 : 2;
        int keyChars = key.branch().length() + key.sentBy().length() + key.method().length() + 2;
        if (keyChars * width != keyBytes) {
            return false;
        }
        int p = o + HEADER;
        p = sameChars(c, p, key.branch(), width);
        p = p < 0 ? p : sameChars(c, p, "\n", width);
        p = p < 0 ? p : sameChars(c, p, key.sentBy(), width);
        p = p < 0 ? p : sameChars(c, p, "\n", width);
        p = p < 0 ? p : sameChars(c, p, key.method(), width);
        return p >= 0;
    }

    /** The position after {@code s} in {@code c} from {@code p} when the chars are the same, else -1. */
    private static int sameChars(byte[] c, int p, String s, int width) {
        for (int i = 0; i < s.length(); i++, p += width) {
            char ch = s.charAt(i);
            char stored = width == 1 ? (char) (c[p] & 0xFF) : (char) ((c[p] & 0xFF) << 8 | (c[p + 1] & 0xFF));
            if (ch != stored) {
                return -1;
            }
        }
        return p;
    }

    private static int putChars(byte[] c, int p, String s, int width) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (width == 1) {
                c[p++] = (byte) ch;
            } else {
                c[p++] = (byte) (ch >>> 8);
                c[p++] = (byte) ch;
            }
        }
        return p;
    }

    /** Keys are read from the wire byte for byte (ISO-8859-1), so all but hand-made ones store one byte a char. */
    private static boolean latin1(ServerKey key) {
        return latin1(key.branch()) && latin1(key.sentBy()) && latin1(key.method());
    }

    private static boolean latin1(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }
}
