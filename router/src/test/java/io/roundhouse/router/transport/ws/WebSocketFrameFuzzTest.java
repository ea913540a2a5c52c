package io.roundhouse.router.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Mutated client frames into the WebSocket pipeline after a real upgrade, on {@code EmbeddedChannel}s (the router's
 * tests run with paranoid leak detection): whatever the bytes, what comes out is a SIP message's bytes or a framing
 * error that closes the connection, never another exception. Fixed seed ({@code -Dws.fuzz.seed=N} for another).
 */
@Timeout(60)
class WebSocketFrameFuzzTest {

    private static final int MUTATIONS = 3_000;
    private static final int MAX_MESSAGE = 2048;
    private static final String OPTIONS = "OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: fuzz\r\n"
            + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    private static final String UPGRADE = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: sip\r\n\r\n";

    /** The end of the pipeline, as the transport's SIP handler: counts messages and framing errors, closes on error. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        int messages;
        final List<Throwable> unexpected = new ArrayList<>();
        int framingErrors;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                messages++;
            } else {
                unexpected.add(new AssertionError("not bytes: " + msg));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable reason = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                    && !(cause instanceof WebSocketFramingException) ? cause.getCause() : cause;
            if (reason instanceof WebSocketFramingException) {
                framingErrors++;
            } else {
                unexpected.add(cause);
            }
            ctx.close();
        }
    }

    private static EmbeddedChannel upgraded(Sink sink) {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketPipeline.addTo(ch.pipeline(), WebSocketSettings.DEFAULTS, MAX_MESSAGE, Duration.ofSeconds(10),
                new WebSocketMetrics());
        ch.pipeline().addLast(sink);
        ch.writeInbound(Unpooled.copiedBuffer(UPGRADE, StandardCharsets.US_ASCII));
        ByteBuf response = ch.readOutbound();
        assertThat(response.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101 Switching Protocols");
        response.release();
        return ch;
    }

    /**
     * A frame as a browser sends it: one text frame, masked (RFC 6455 §5.2, §5.3). Written here with a fixed masking
     * key rather than by Netty's encoder, whose key is random: a fuzz run must see the same bytes for the same seed.
     */
    private static byte[] maskedFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        ByteBuf out = Unpooled.buffer();
        out.writeByte(0x81); // FIN, opcode 1 (text)
        if (payload.length < 126) {
            out.writeByte(0x80 | payload.length);
        } else {
            out.writeByte(0x80 | 126).writeShort(payload.length);
        }
        out.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            out.writeByte(payload[i] ^ key[i % 4]);
        }
        byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    @Test
    void aValidFrameIsOneSipMessage() {
        Sink sink = new Sink();
        EmbeddedChannel ch = upgraded(sink);
        ch.writeInbound(Unpooled.wrappedBuffer(maskedFrame(OPTIONS)));
        assertThat(sink.messages).isEqualTo(1);
        assertThat(sink.unexpected).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionClosedInsideAFragmentedMessageIsAFramingError() {
        Sink sink = new Sink();
        EmbeddedChannel ch = upgraded(sink);
        byte[] first = maskedFrame("OPTIONS sip:127.0.0.1 SIP/2.0\r\n");
        first[0] = 0x01; // FIN clear: a first fragment, the rest never comes (RFC 6455 §5.4)
        ch.writeInbound(Unpooled.wrappedBuffer(first));
        ch.close();
        assertThat(sink.messages).isZero();
        assertThat(sink.unexpected).isEmpty();
        assertThat(sink.framingErrors).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void mutatedFramesAreMessagesOrFramingErrorsNeverAnythingElse() {
        long seed = Long.getLong("ws.fuzz.seed", 7118L);
        Random random = new Random(seed);
        byte[] valid = maskedFrame(OPTIONS);
        int messages = 0;
        int errors = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] bytes = mutate(valid, random);
            Sink sink = new Sink();
            EmbeddedChannel ch = upgraded(sink);
            // In one piece or cut in two, as TCP may deliver it.
            int cut = random.nextInt(bytes.length + 1);
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
            if (ch.isActive()) {
                ch.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            }
            assertThat(sink.unexpected).as("seed %d, mutation %d", seed, i).isEmpty();
            messages += sink.messages;
            errors += sink.framingErrors;
            ch.finishAndReleaseAll();
        }
        // Both outcomes occur: the fuzzing reached past the frame header and into the refusals.
        assertThat(messages).isPositive();
        assertThat(errors).isPositive();
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] b = valid.clone();
        switch (random.nextInt(4)) {
            case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8)); // a flipped bit
            case 1 -> b[random.nextInt(Math.min(b.length, 14))] = (byte) random.nextInt(256); // a header byte
            case 2 -> {
                for (int i = 0; i < 8; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            default -> {
                byte[] twice = new byte[b.length * 2];
                System.arraycopy(b, 0, twice, 0, b.length);
                System.arraycopy(b, 0, twice, b.length, b.length);
                twice[random.nextInt(twice.length)] ^= 0x40;
                return twice;
            }
        }
        return b;
    }
}
