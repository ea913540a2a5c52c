package io.roundhouse.router.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/** Receives every framed message from the transport layer, on the event loop. */
public interface InboundHandler {

    /**
     * One message: a whole UDP datagram or one TCP frame. The buffer is released by the caller after this returns;
     * retain it to keep it.
     *
     * @param frame      the bytes
     * @param transport  the transport it came over
     * @param source     the remote address
     * @param connection the TCP connection, or the UDP channel it arrived on
     */
    void onMessage(ByteBuf frame, Transport transport, InetSocketAddress source, Channel connection);

    /** A frame the transport could not cut (oversized, bad Content-Length over TCP): counted as dropped. */
    void onFramingError(Transport transport, InetSocketAddress source, String reason);

    /**
     * A datagram longer than the message size limit; {@code head} holds its first bytes only (released by the caller).
     * A request may be answered 513 Message Too Large (RFC 3261 §21.5.14); by default it is a framing error.
     */
    default void onOversized(ByteBuf head, Transport transport, InetSocketAddress source, Channel connection) {
        onFramingError(transport, source, "datagram larger than the message size limit");
    }
}
