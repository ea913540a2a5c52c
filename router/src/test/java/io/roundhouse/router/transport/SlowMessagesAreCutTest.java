package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The message deadline of {@link SipStreamDecoder} (slowloris), on EmbeddedChannel's controllable clock. */
@Timeout(10)
class SlowMessagesAreCutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String OPTIONS = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 0\r\n\r\n";

    private final List<Throwable> failures = new ArrayList<>();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** What the decoder wrote (the CRLF pongs) stays in the channel's outbound queue until released here. */
    @AfterEach
    void releaseWritten() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private EmbeddedChannel connection(boolean peerOpened) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        ch.freezeTime();
        ch.pipeline().addLast(new SipStreamDecoder(65536, TIMEOUT, peerOpened), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failures.add(cause);
            }
        });
        return ch;
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    private static void advance(EmbeddedChannel ch, Duration d) {
        ch.advanceTimeBy(d.toMillis(), TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void aHeaderTrickledByteByByteIsCutWithinTwiceTheTimeout() {
        EmbeddedChannel ch = connection(true);
        send(ch, OPTIONS);
        String slow = "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2;branch=z9hG4bK1\r\n";
        for (int i = 0; i < 20 && failures.isEmpty(); i++) {
            send(ch, slow.substring(i, i + 1));
            advance(ch, Duration.ofSeconds(1));
        }

        assertThat(failures).singleElement().satisfies(f -> assertThat(f)
                .isInstanceOf(SipStreamDecoder.SipFramingException.class)
                .hasMessageContaining("not whole within 10000 ms"));
    }

    @Test
    void aConnectionThatNeverSendsAMessageIsCut() {
        EmbeddedChannel ch = connection(true);

        advance(ch, TIMEOUT.multipliedBy(2));

        assertThat(failures).singleElement().satisfies(f -> assertThat(f)
                .hasMessageContaining("no whole message within 10000 ms of connecting"));
    }

    @Test
    void messagesSentWholeAndKeepAlivesBetweenThemAreNeverCut() {
        EmbeddedChannel ch = connection(true);
        for (int i = 0; i < 10; i++) {
            send(ch, OPTIONS);
            advance(ch, TIMEOUT);
            send(ch, "\r\n\r\n");
            advance(ch, TIMEOUT);
        }

        assertThat(failures).isEmpty();
    }

    @Test
    void aConnectionTheRouterOpenedOwesNoFirstMessage() {
        EmbeddedChannel ch = connection(false);

        advance(ch, TIMEOUT.multipliedBy(5));

        assertThat(failures).isEmpty();
    }

    @Test
    void aSlowBodyIsCutToo() {
        EmbeddedChannel ch = connection(false);
        send(ch, "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1000\r\n\r\nxx");

        advance(ch, TIMEOUT.multipliedBy(2));

        assertThat(failures).singleElement().satisfies(f -> assertThat(f).hasMessageContaining("not whole"));
    }
}
