package io.roundhouse.router.transport;

import io.netty.buffer.ByteBuf;
import java.util.function.Consumer;

/** Sends encoded SIP messages; the transaction layer's view of the transport layer. Called on the event loop. */
public interface MessageSender {

    /**
     * Sends {@code message} (ownership passes to the sender) to {@code destination}; {@code onFailure} is called on
     * the event loop when the transport reports the message could not be sent (connection refused, ...).
     */
    void send(ByteBuf message, Destination destination, Consumer<Throwable> onFailure);

    /**
     * Makes {@code alias} (a peer's IP and the port of its Via sent-by) another name of {@code connection}, so that a
     * message for that address reuses the connection the peer opened instead of opening a new one (after RFC 5923's
     * connection reuse, as Kamailio's TCP aliases). Only for stream transports; the alias ends with the connection.
     */
    default void alias(java.net.InetSocketAddress alias, io.netty.channel.Channel connection) {
    }
}
