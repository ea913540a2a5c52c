package io.roundhouse.router.transport.ws;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WebSocket keep-alive (RFC 6455 §5.5.2): every {@code ping-interval} the router checks whether anything was read from
 * the browser since the last check; if not, it sends a ping, and closes the connection when nothing (pong or message)
 * arrives within {@code pong-timeout}. So a quiet connection is pinged after one to two intervals, and a browser that
 * vanished (laptop lid closed, network gone) is found within about two intervals, after which requests of its dialogs
 * get 430 Flow Failed at once. Counts reads instead of reading a clock (nothing per message but an increment); the
 * timers run on the connection's event loop. Pongs stop here.
 */
final class KeepAlive extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

    private final long intervalNanos;
    private final long pongTimeoutNanos;
    private final WebSocketMetrics metrics;
    private long reads;
    private long readsAtCheck;
    private Future<?> timer;

    KeepAlive(Duration interval, Duration pongTimeout, WebSocketMetrics metrics) {
        this.intervalNanos = interval.toNanos();
        this.pongTimeoutNanos = pongTimeout.toNanos();
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete && intervalNanos > 0 && timer == null) {
            readsAtCheck = reads;
            timer = ctx.executor().schedule(() -> check(ctx), intervalNanos, TimeUnit.NANOSECONDS);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reads++;
        if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (reads != readsAtCheck) {
            readsAtCheck = reads;
            timer = ctx.executor().schedule(() -> check(ctx), intervalNanos, TimeUnit.NANOSECONDS);
            return;
        }
        ctx.writeAndFlush(new PingWebSocketFrame());
        long readsAtPing = reads;
        timer = ctx.executor().schedule(() -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (reads == readsAtPing) {
                metrics.pongTimeout();
                log.debug("WebSocket {}: no pong within {} ms of a ping: closed", ctx.channel().remoteAddress(),
                        TimeUnit.NANOSECONDS.toMillis(pongTimeoutNanos));
                ctx.close();
                return;
            }
            readsAtCheck = reads;
            timer = ctx.executor().schedule(() -> check(ctx), intervalNanos, TimeUnit.NANOSECONDS);
        }, pongTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        ctx.fireChannelInactive();
    }
}
