package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A UDP socket's receive buffer is reused once every datagram read into it is released, and never while one is kept.
 * Each test plays Netty's part: a read takes the buffer, slices a datagram out of it for the pipeline and releases
 * its own reference; the proxy then releases the datagram, or keeps it.
 */
@Timeout(5)
class DatagramReceiveBufferTest {

    private final DatagramReceiveBuffer receive = new DatagramReceiveBuffer(128, true, 16);
    @SuppressWarnings("deprecation")
    private final RecvByteBufAllocator.Handle handle = receive.newHandle();

    private ByteBuf take() {
        return handle.allocate(ByteBufAllocator.DEFAULT);
    }

    /** The buffer that holds the memory, under any slice or leak-detecting wrapper. */
    private static ByteBuf root(ByteBuf b) {
        while (b.unwrap() != null) {
            b = b.unwrap();
        }
        return b;
    }

    /** Reads {@code text} into {@code buffer} as Netty does: returns the datagram the pipeline gets. */
    private static ByteBuf read(ByteBuf buffer, String text) {
        buffer.writeCharSequence(text, StandardCharsets.US_ASCII);
        ByteBuf datagram = buffer.retainedSlice(0, text.length());
        buffer.release();
        return datagram;
    }

    @Test
    void theNextReadReusesTheBufferOnceTheDatagramIsReleased() {
        ByteBuf buffer = take();
        read(buffer, "INVITE").release();

        assertThat(take()).isSameAs(buffer);

        buffer.release();
        receive.release();
        assertThat(buffer.refCnt()).isZero();
    }

    @Test
    void aKeptDatagramIsNeverOverwrittenByTheNextRead() {
        ByteBuf first = take();
        ByteBuf kept = read(first, "INVITE");

        ByteBuf second = take();
        read(second, "BYE").release();

        assertThat(second).isNotSameAs(first);
        assertThat(kept.toString(StandardCharsets.US_ASCII)).isEqualTo("INVITE");
        kept.release();
        assertThat(first.refCnt()).as("the kept buffer was its holder's alone").isZero();
        receive.release();
    }

    @Test
    void aBatchedReadHasASlotPerDatagram() {
        ByteBuf buffer = take();

        assertThat(buffer.writableBytes()).isEqualTo(16 * 128);
        buffer.release();
        receive.release();
    }

    @Test
    void aReadOfFewerDatagramsGetsThatManySlotsOfTheSameBuffer() {
        ByteBuf whole = take();
        read(whole, "INVITE").release();

        receive.datagramsPerRead(2);
        ByteBuf fewer = take();

        assertThat(fewer.writableBytes()).as("recvmmsg(2) fills as many datagrams as the buffer has slots")
                .isEqualTo(2 * 128);
        assertThat(receive.maxMessagesPerRead()).isEqualTo(2);
        assertThat(root(fewer)).as("nothing allocated").isSameAs(root(whole));
        read(fewer, "ACK").release();

        receive.datagramsPerRead(16);
        assertThat(take()).as("the whole buffer again, reused").isSameAs(whole);
        whole.release();
        receive.release();
        assertThat(whole.refCnt()).isZero();
    }

    @Test
    void closingTheSocketFreesTheBuffer() {
        ByteBuf buffer = take();
        read(buffer, "OPTIONS").release();

        receive.release();

        assertThat(buffer.refCnt()).isZero();
    }
}
