package io.roundhouse.router.sip;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The bytes of a message as the parser reads them: a plain array, addressed by the index the byte has in the message's
 * {@link ByteBuf}. Reading a buffer byte by byte goes through bounds, reference-count and slice checks at every byte
 * (10.8% of the SIP event loop under load, issue 15); an array read is one bounds check the JIT mostly removes.
 *
 * <p>A heap buffer lends its own array. A direct one (every received datagram) is copied once into an array kept per
 * thread for framing: the copy is one {@code memcpy} of a message that is read two or three times over.
 */
final class MessageBytes {

    /** Kept per thread up to this size; a larger message (up to the transport's limit) gets an array of its own. */
    private static final int KEPT_SCRATCH = 64 * 1024;

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[2048];
        }
    };

    private final ByteBuf buffer;
    private final byte[] array;
    /** Array index of buffer index 0. */
    private final int shift;

    private MessageBytes(ByteBuf buffer, byte[] array, int shift) {
        this.buffer = buffer;
        this.array = array;
        this.shift = shift;
    }

    /**
     * {@code buf[readerIndex, writerIndex)} for framing. A direct buffer's copy lives in this thread's scratch array:
     * valid until the next call on this thread, so only for reads that end before the parser returns.
     */
    static MessageBytes forFraming(ByteBuf buf) {
        int from = buf.readerIndex();
        int length = buf.readableBytes();
        if (buf.hasArray()) {
            return new MessageBytes(buf, buf.array(), buf.arrayOffset());
        }
        byte[] scratch = SCRATCH.get();
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
            if (scratch.length <= KEPT_SCRATCH) {
                SCRATCH.set(scratch);
            }
        }
        buf.getBytes(from, scratch, 0, length);
        return new MessageBytes(buf, scratch, -from);
    }

    /** {@code buf[from, to)}, copied into an array of its own unless the buffer has one. */
    static MessageBytes region(ByteBuf buf, int from, int to) {
        if (buf.hasArray()) {
            return new MessageBytes(buf, buf.array(), buf.arrayOffset());
        }
        byte[] copy = new byte[to - from];
        buf.getBytes(from, copy);
        return new MessageBytes(buf, copy, -from);
    }

    ByteBuf buffer() {
        return buffer;
    }

    /** The byte at {@code index} of the buffer. */
    byte at(int index) {
        return array[index + shift];
    }

    /** Index of the first {@code value} in {@code [from, to)}, or -1. */
    int indexOf(int from, int to, byte value) {
        for (int i = from + shift, end = to + shift; i < end; i++) {
            if (array[i] == value) {
                return i - shift;
            }
        }
        return -1;
    }
}
