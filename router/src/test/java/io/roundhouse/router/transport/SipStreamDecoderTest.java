package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.roundhouse.router.sip.Fixtures;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** TCP framing by Content-Length (RFC 3261 §18.3), fed one byte at a time as a stream may deliver it. */
class SipStreamDecoderTest {

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private static String readFrame(EmbeddedChannel ch) {
        ByteBuf frame = ch.readInbound();
        if (frame == null) {
            return null;
        }
        try {
            return frame.toString(StandardCharsets.UTF_8);
        } finally {
            frame.release();
        }
    }

    @Test
    void messagesFedOneByteAtATimeAreFramedByContentLength() {
        String one = Fixtures.text("invite-basic.sip");
        String two = Fixtures.text("compact-forms.sip");
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        byte[] stream = (one + two).getBytes(StandardCharsets.UTF_8);
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(readFrame(ch)).isEqualTo(one);
        assertThat(readFrame(ch)).isEqualTo(two);
        assertThat(readFrame(ch)).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void severalMessagesInOneReadAreCutApartAndLeadingCrlfsSkipped() {
        String msg = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nabc";
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        ch.writeInbound(bytes("\r\n" + msg + "\r\n" + msg));
        assertThat(readFrame(ch)).isEqualTo(msg);
        assertThat(readFrame(ch)).isEqualTo(msg);
        assertThat(readFrame(ch)).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void aDoubleCrlfPingIsAnsweredWithACrlfPong() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        ch.writeInbound(bytes("\r\n\r\n"));
        ByteBuf pong = ch.readOutbound();
        assertThat(pong.toString(StandardCharsets.US_ASCII)).isEqualTo("\r\n");
        pong.release();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void compactContentLengthWithLeadingZerosFrames() {
        String msg = "OPTIONS sip:a@b SIP/2.0\r\nl:  004\r\n\r\nabcd";
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        ch.writeInbound(bytes(msg + "OPT"));
        assertThat(readFrame(ch)).isEqualTo(msg);
        assertThat(readFrame(ch)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aMissingContentLengthFailsTheStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        assertThatThrownBy(() -> ch.writeInbound(bytes("OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("missing Content-Length");
        ch.finishAndReleaseAll();
    }

    @Test
    void aMalformedContentLengthFailsTheStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        assertThatThrownBy(() -> ch.writeInbound(bytes("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1x\r\n\r\n")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("malformed Content-Length");
        ch.finishAndReleaseAll();
    }

    @Test
    void aMessageOverTheLimitFailsTheStreamBeforeItsBodyArrives() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(1024));
        assertThatThrownBy(() -> ch.writeInbound(bytes("INVITE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("exceeds the limit of 1024");
        // Nothing more is decoded from a failed stream.
        ch.writeInbound(bytes("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n"));
        assertThat(readFrame(ch)).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void anEndlessHeaderSectionFailsTheStreamAtTheLimit() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(1024));
        ch.writeInbound(bytes("INVITE sip:a@b SIP/2.0\r\n"));
        assertThatThrownBy(() -> ch.writeInbound(bytes("X-Pad: " + "y".repeat(2000) + "\r\n")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("header section longer than 1024");
        ch.finishAndReleaseAll();
    }
}
