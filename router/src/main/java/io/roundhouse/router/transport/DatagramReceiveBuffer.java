package io.roundhouse.router.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultMaxMessagesRecvByteBufAllocator;

/**
 * The receive buffer of one UDP socket, reused from read to read instead of allocated for each: it holds a slot of the
 * largest datagram accepted plus one byte (64 KiB by default) per datagram of a read, which Netty's allocator does not
 * pool when the heap is 512 MiB or less (a fresh native allocation for every read, 4.5% of the event loop's time in a
 * profile of the bench). Each datagram handed to the pipeline is a slice of it; once the proxy has released them all
 * after {@link InboundHandler#onMessage} the buffer is free again. If something kept one (retained it), the next read
 * takes a new buffer and leaves the old one to its holder, so a kept datagram is never overwritten; it only costs a
 * buffer, which is why nothing in the router keeps an inbound frame (the proxy copies what it needs).
 *
 * <p>With recvmmsg(2) (epoll) the datagrams of one read are as many as the buffer it is given has slots: a read of
 * fewer datagrams ({@link #datagramsPerRead}) is given a slice of the same buffer with that many slots, so switching
 * allocates nothing.
 *
 * <p>One instance per socket (Netty keeps one handle per channel), event loop only; {@link #release} once the socket
 * has closed.
 */
final class DatagramReceiveBuffer extends DefaultMaxMessagesRecvByteBufAllocator {

    private final int slot;
    private final int size;
    private final boolean slotPerDatagram;
    private final int mostDatagrams;
    private ByteBuf buffer;

    /**
     * @param slot             bytes of one datagram's slot: the largest datagram accepted plus one
     * @param slotPerDatagram  whether one read fills a slot per datagram (recvmmsg), or reads one datagram per call
     * @param datagramsPerRead datagrams read per wake-up of the socket, at most
     */
    DatagramReceiveBuffer(int slot, boolean slotPerDatagram, int datagramsPerRead) {
        super(datagramsPerRead);
        this.slot = slot;
        this.slotPerDatagram = slotPerDatagram;
        this.mostDatagrams = datagramsPerRead;
        this.size = slotPerDatagram ? slot * datagramsPerRead : slot;
    }

    /** Reads {@code datagrams} (at most the number given at construction) per wake-up from the next read on. */
    void datagramsPerRead(int datagrams) {
        maxMessagesPerRead(Math.min(datagrams, mostDatagrams));
    }

    @Override
    @SuppressWarnings("deprecation")
    public Handle newHandle() {
        return new MaxMessageHandle() {
            @Override
            public ByteBuf allocate(ByteBufAllocator alloc) {
                if (buffer == null || buffer.refCnt() != 1) {
                    release();
                    buffer = alloc.ioBuffer(size);
                }
                // One reference is ours; the read's is released by Netty (or with the datagram by the pipeline).
                int datagrams = maxMessagesPerRead();
                if (!slotPerDatagram || datagrams == mostDatagrams) {
                    return buffer.retain().clear();
                }
                return buffer.retainedSlice(0, slot * datagrams).clear();
            }

            @Override
            public int guess() {
                return slotPerDatagram ? slot * maxMessagesPerRead() : slot;
            }
        };
    }

    /** Drops this socket's hold on the buffer (the socket has closed). */
    void release() {
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }
}
