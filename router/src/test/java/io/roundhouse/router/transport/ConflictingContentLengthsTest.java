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
import org.junit.jupiter.api.Timeout;

/** A TCP stream whose message carries two Content-Length values (RFC 4475 §3.3.9) cannot be framed past it. */
@Timeout(10)
class ConflictingContentLengthsTest {

    @Test
    void twoDifferentValuesFailTheStreamInsteadOfDesynchronisingIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        assertThatThrownBy(() -> ch.writeInbound(Fixtures.buffer("rfc4475/mcl01.sip")))
                .isInstanceOf(DecoderException.class).hasMessageContaining("two different Content-Length values");
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void theSameValueTwiceFramesOneMessage() {
        String msg = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\nl: 3\r\n\r\nabc";
        EmbeddedChannel ch = new EmbeddedChannel(new SipStreamDecoder(65536));
        ch.writeInbound(Unpooled.copiedBuffer(msg, StandardCharsets.UTF_8));
        ByteBuf frame = ch.readInbound();
        assertThat(frame.toString(StandardCharsets.UTF_8)).isEqualTo(msg);
        frame.release();
        assertThat(ch.finish()).isFalse();
    }
}
