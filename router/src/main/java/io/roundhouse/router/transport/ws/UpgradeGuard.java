package io.roundhouse.router.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.roundhouse.router.transport.ws.WebSocketMetrics.Refusal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of a WebSocket listener, before Netty's handshaker sees the request: the upgrade request must arrive
 * whole within the message deadline (a client trickling its request holds a connection seconds, not the idle timeout),
 * be a GET asking for a WebSocket upgrade, ask for the {@code sip} subprotocol (RFC 7118 §4.1: the router speaks
 * nothing else over it) and come from an allowed Origin (RFC 6455 §10.2). Anything else gets an HTTP error and the
 * connection is closed; an accepted request goes on to the handshaker and this handler leaves the pipeline.
 */
final class UpgradeGuard extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UpgradeGuard.class);
    static final String SUBPROTOCOL = "sip";

    private final WebSocketSettings settings;
    private final Duration deadline;
    private final WebSocketMetrics metrics;
    private Future<?> deadlineTask;
    private boolean refused;

    UpgradeGuard(WebSocketSettings settings, Duration deadline, WebSocketMetrics metrics) {
        this.settings = settings;
        this.deadline = deadline;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadlineTask = ctx.executor().schedule(() -> {
            if (ctx.channel().isActive()) {
                metrics.count(Refusal.DEADLINE);
                log.debug("WebSocket upgrade from {} not received within {} ms: closed", ctx.channel().remoteAddress(),
                        deadline.toMillis());
                ctx.close();
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadlineTask.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // a request pipelined behind the refused one: the connection is closing
            return;
        }
        if (!(msg instanceof FullHttpRequest request)) {
            // Nothing but the aggregated request can come before the upgrade.
            ReferenceCountUtil.release(msg);
            refuse(ctx, Refusal.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "expected an HTTP request");
            return;
        }
        String problem = null;
        Refusal reason = null;
        HttpResponseStatus status = null;
        if (request.decoderResult().isFailure()) {
            reason = Refusal.BAD_REQUEST;
            status = HttpResponseStatus.BAD_REQUEST;
            problem = "malformed HTTP request: " + request.decoderResult().cause().getMessage();
        } else if (!request.method().equals(HttpMethod.GET)) {
            reason = Refusal.NOT_UPGRADE;
            status = HttpResponseStatus.METHOD_NOT_ALLOWED;
            problem = request.method() + " (expected: GET with Upgrade: websocket)";
        } else if (!request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            reason = Refusal.NOT_UPGRADE;
            status = HttpResponseStatus.UPGRADE_REQUIRED;
            problem = "no WebSocket upgrade asked for (this address speaks SIP over WebSocket, RFC 7118)";
        } else if (!asksForSip(request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL))) {
            reason = Refusal.SUBPROTOCOL;
            status = HttpResponseStatus.BAD_REQUEST;
            problem = "the 'sip' WebSocket subprotocol is required (Sec-WebSocket-Protocol: sip, RFC 7118 §4.1)";
        } else if (!settings.allows(request.headers().get(HttpHeaderNames.ORIGIN))) {
            reason = Refusal.ORIGIN;
            status = HttpResponseStatus.FORBIDDEN;
            problem = "origin not allowed (sip.websocket.allowed-origins)";
        }
        if (problem != null) {
            log.debug("WebSocket upgrade from {} refused ({} {}): {}; origin {}", ctx.channel().remoteAddress(),
                    status.code(), reason.tag(), problem, request.headers().get(HttpHeaderNames.ORIGIN));
            request.release();
            refuse(ctx, reason, status, problem);
            return;
        }
        metrics.upgraded();
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    /** True when one of the offered subprotocols (comma-separated, in one or several headers) is {@code sip}. */
    static boolean asksForSip(List<String> headers) {
        for (String h : headers) {
            for (String token : h.split(",")) {
                if (token.trim().equals(SUBPROTOCOL)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void refuse(ChannelHandlerContext ctx, Refusal reason, HttpResponseStatus status, String text) {
        refused = true;
        metrics.count(reason);
        deadlineTask.cancel(false);
        ByteBuf body = Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (status.equals(HttpResponseStatus.UPGRADE_REQUIRED)) {
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
