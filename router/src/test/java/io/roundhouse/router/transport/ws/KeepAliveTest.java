package io.roundhouse.router.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link KeepAlive} on an {@code EmbeddedChannel} whose clock the test moves: no sleeping. */
@Timeout(10)
class KeepAliveTest {

    private final WebSocketMetrics metrics = new WebSocketMetrics();

    private EmbeddedChannel upgraded() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new KeepAlive(Duration.ofSeconds(30), Duration.ofSeconds(10), metrics));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/",
                EmptyHttpHeaders.INSTANCE, "sip"));
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    @Test
    void aQuietConnectionIsPingedAndClosedWhenNothingAnswers() {
        EmbeddedChannel ch = upgraded();
        advance(ch, 29);
        assertThat((Object) ch.readOutbound()).isNull();
        advance(ch, 1);
        PingWebSocketFrame ping = ch.readOutbound();
        assertThat(ping).isNotNull();
        ping.release();
        advance(ch, 9);
        assertThat(ch.isActive()).isTrue();
        advance(ch, 1);
        assertThat(ch.isActive()).isFalse();
        assertThat(metrics.pongTimeouts()).isEqualTo(1);
    }

    @Test
    void aPongKeepsTheConnectionAndStopsHere() {
        EmbeddedChannel ch = upgraded();
        advance(ch, 30);
        ((PingWebSocketFrame) ch.readOutbound()).release();
        ch.writeInbound(new PongWebSocketFrame());
        assertThat((Object) ch.readInbound()).isNull(); // not passed on towards the SIP handler
        advance(ch, 10);
        assertThat(ch.isActive()).isTrue();
        // the next ping comes after the next quiet interval
        advance(ch, 30);
        PingWebSocketFrame again = ch.readOutbound();
        assertThat(again).isNotNull();
        again.release();
        assertThat(metrics.pongTimeouts()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void trafficMeansNoPing() {
        EmbeddedChannel ch = upgraded();
        for (int i = 0; i < 5; i++) {
            advance(ch, 20);
            ch.writeInbound(new TextWebSocketFrame("OPTIONS sip:x SIP/2.0\r\n\r\n"));
            ((TextWebSocketFrame) ch.readInbound()).release();
        }
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isActive()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void noPingsWhenTheIntervalIsZero() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new KeepAlive(Duration.ZERO, Duration.ofSeconds(10), metrics));
        ch.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/",
                EmptyHttpHeaders.INSTANCE, "sip"));
        advance(ch, 3600);
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.isActive()).isTrue();
        ch.finishAndReleaseAll();
    }
}
