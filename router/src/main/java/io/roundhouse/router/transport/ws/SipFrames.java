package io.roundhouse.router.transport.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.MessageToMessageCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One SIP message per WebSocket message (RFC 7118 §5): a text or binary message in (continuations already joined)
 * becomes the bytes of one SIP message; a SIP message out becomes a text frame when it is valid UTF-8 (what browsers'
 * SIP stacks expect, and a text frame that is not UTF-8 would make the browser fail the connection, RFC 6455 §8.1),
 * else a binary frame.
 */
final class SipFrames extends MessageToMessageCodec<WebSocketFrame, ByteBuf> {

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            out.add(frame.content().retain());
        }
        // Ping and close are the protocol handler's, pong the keep-alive's; nothing else reaches here.
    }

    /**
     * A message over {@code sip.max-message-size} (in one frame, or in continuations) or a broken frame: the browser is
     * told why with a close frame (1009 or its protocol error, RFC 6455 §7.4.1) and the message counted as dropped by
     * the framing error passed on; the connection closes, as a TCP stream does after a framing error.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG))
                    .addListener(ChannelFutureListener.CLOSE);
            ctx.fireExceptionCaught(new WebSocketFramingException("WebSocket message larger than the message size limit"));
        } else if (cause instanceof CorruptedWebSocketFrameException corrupted) {
            // The frame decoder has already sent its close frame.
            ctx.fireExceptionCaught(new WebSocketFramingException("WebSocket frame refused: " + corrupted.getMessage()));
        } else if (cause instanceof PrematureChannelClosureException) {
            // The connection closed (a broken frame after a first fragment, or the peer) inside a fragmented message:
            // the part received is dropped with it (RFC 6455 §5.4), a framing error like the others.
            ctx.fireExceptionCaught(new WebSocketFramingException("WebSocket connection closed inside a fragmented"
                    + " message"));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf message, List<Object> out) {
        ByteBuf content = message.retain();
        out.add(ByteBufUtil.isText(content, StandardCharsets.UTF_8) ? new TextWebSocketFrame(content)
                : new BinaryWebSocketFrame(content));
    }
}
