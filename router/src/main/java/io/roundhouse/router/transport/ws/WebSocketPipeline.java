package io.roundhouse.router.transport.ws;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Duration;

/**
 * The handlers of a {@code ws:} or {@code wss:} connection (RFC 7118), one per concern, between the connection's TLS
 * and idle handlers and the transport's SIP handler: HTTP/1.1 with small limits, the {@link UpgradeGuard} (subprotocol,
 * Origin, deadline), Netty's handshaker and frame codec (pings answered, close handshake), continuation frames joined up
 * to the message size limit, the {@link KeepAlive}, and {@link SipFrames} (one WebSocket message is one SIP message).
 * What reaches the SIP handler is the bytes of one SIP message, as from a UDP datagram; what it writes is a SIP
 * message, sent as one frame.
 */
public final class WebSocketPipeline {

    /** An upgrade request line holds a short path; 4 KiB is Netty's default and far above what browsers send. */
    public static final int MAX_INITIAL_LINE = 4096;
    /**
     * A browser's upgrade request carries its cookies for the host: 8 KiB holds ordinary ones and keeps a connection
     * that has not upgraded yet from costing more than that.
     */
    public static final int MAX_HEADER_SIZE = 8192;

    private WebSocketPipeline() {
    }

    /**
     * Adds the WebSocket handlers at the end of {@code pipeline}.
     *
     * @param maxMessageSize the largest SIP message, in one frame or joined from continuations
     * @param deadline       the upgrade request must arrive whole within this of the connection's start
     */
    public static void addTo(ChannelPipeline pipeline, WebSocketSettings settings, int maxMessageSize, Duration deadline,
                             WebSocketMetrics metrics) {
        WebSocketServerProtocolConfig protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/")
                .checkStartsWith(true) // any path: browsers' SIP stacks use "/", "/ws", "/sip"...
                .subprotocols(UpgradeGuard.SUBPROTOCOL)
                .handshakeTimeoutMillis(Math.max(1, deadline.toMillis()))
                .dropPongFrames(false) // the keep-alive counts them
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxMessageSize)
                        .expectMaskedFrames(true) // RFC 6455 §5.1: a client masks every frame
                        .allowExtensions(false)
                        .withUTF8Validator(true)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
        pipeline.addLast(
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_INITIAL_LINE)
                        .setMaxHeaderSize(MAX_HEADER_SIZE)),
                // An upgrade is a GET without a body: nothing to aggregate but its head.
                new HttpObjectAggregator(0),
                new UpgradeGuard(settings, deadline, metrics),
                new WebSocketServerProtocolHandler(protocol),
                new WebSocketFrameAggregator(maxMessageSize),
                new KeepAlive(settings.pingInterval(), settings.pongTimeout(), metrics),
                new SipFrames());
    }
}
