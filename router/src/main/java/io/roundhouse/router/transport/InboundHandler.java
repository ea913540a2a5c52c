package io.roundhouse.router.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Receives every framed message from the transport layer, on the event loop; and, where a port for new calls is read
 * by a thread of its own (the door, docs/security.md "A port for new calls"), looks at that port's datagrams on that
 * thread first.
 */
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

    /**
     * A datagram of a port for new calls, on the door's thread, before the event loop sees it: a new INVITE may be
     * answered 503 there ({@code doorSender} sends on that thread), the ACK of a stateless response absorbed. What is
     * not {@link AtTheDoor#DONE} is handed to the event loop: {@link #onMessage}, or {@link #onAdmittedCall} for a new
     * call the door admitted. Must not throw; touches nothing that belongs to the event loop.
     */
    default AtTheDoor atTheDoor(ByteBuf datagram, InetSocketAddress source, Channel port, MessageSender doorSender) {
        return AtTheDoor.PASSED;
    }

    /** Whether new calls are being shed now (asked by the door, on its thread, before {@link #heldTooLong}). */
    default boolean shedding() {
        return false;
    }

    /**
     * A new INVITE the door admitted ({@link #atTheDoor}) that waited there for the event loop longer than it may (the
     * loop was behind) while new calls are shed: answered 503 on the door's thread with {@code doorSender}, never
     * handed to the loop.
     */
    default void heldTooLong(ByteBuf datagram, InetSocketAddress source, Channel port, MessageSender doorSender) {
    }

    /** A new INVITE the door admitted ({@link #atTheDoor}), on the event loop: its call goes on, not asked again. */
    default void onAdmittedCall(ByteBuf datagram, InetSocketAddress source, Channel port) {
        onMessage(datagram, Transport.UDP, source, port);
    }
}
