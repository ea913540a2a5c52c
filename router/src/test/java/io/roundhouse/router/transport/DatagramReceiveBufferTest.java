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

    private final DatagramReceiveBuffer receive = new DatagramReceiveBuffer(2048, 16);
    @SuppressWarnings("deprecation")
    private final RecvByteBufAllocator.Handle handle = receive.newHandle();

    private ByteBuf take() {
        return handle.allocate(ByteBufAllocator.DEFAULT);
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
    void closingTheSocketFreesTheBuffer() {
        ByteBuf buffer = take();
        read(buffer, "OPTIONS").release();

        receive.release();

        assertThat(buffer.refCnt()).isZero();
    }
}
