package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Datagrams sent while a UDP read is handled leave together when the read ends (one sendmmsg on epoll); any other
 * datagram leaves at once. An embedded channel only hands out what was flushed, so each test sees exactly that.
 */
@Timeout(5)
class DatagramBatchTest {

    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5060);

    private final DatagramBatch batch = new DatagramBatch();
    private final EmbeddedChannel v4 = new EmbeddedChannel();
    private final EmbeddedChannel v6 = new EmbeddedChannel();

    @AfterEach
    void close() {
        v4.finishAndReleaseAll();
        v6.finishAndReleaseAll();
    }

    private static DatagramPacket packet(String text) {
        return new DatagramPacket(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII), PEER);
    }

    private static String sent(EmbeddedChannel ch) {
        DatagramPacket p = ch.readOutbound();
        if (p == null) {
            return null;
        }
        try {
            return p.content().toString(StandardCharsets.US_ASCII);
        } finally {
            p.release();
        }
    }

    @Test
    void aDatagramSentOutsideAReadLeavesAtOnce() {
        batch.send(v4, packet("timer"));

        assertThat(sent(v4)).isEqualTo("timer");
    }

    @Test
    void datagramsSentDuringAReadLeaveTogetherInOrderWhenTheReadEnds() {
        batch.readBegan();
        batch.send(v4, packet("100 Trying"));
        batch.send(v4, packet("INVITE"));
        assertThat(sent(v4)).isNull();

        batch.readEnded();

        assertThat(sent(v4)).isEqualTo("100 Trying");
        assertThat(sent(v4)).isEqualTo("INVITE");
        assertThat(sent(v4)).isNull();
    }

    @Test
    void everySocketWrittenDuringAReadIsFlushedWhenItEnds() {
        batch.readBegan();
        batch.send(v4, packet("to a v4 peer"));
        batch.send(v6, packet("to a v6 peer"));

        batch.readEnded();

        assertThat(sent(v4)).isEqualTo("to a v4 peer");
        assertThat(sent(v6)).isEqualTo("to a v6 peer");
    }

    @Test
    void aDatagramSentAfterTheReadEndedLeavesAtOnce() {
        batch.readBegan();
        batch.readEnded();

        batch.send(v4, packet("retransmission"));

        assertThat(sent(v4)).isEqualTo("retransmission");
    }
}
