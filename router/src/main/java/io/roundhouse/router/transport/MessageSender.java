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

    /**
     * The flow token of a WebSocket connection (RFC 5626 §5.2, RFC 7118 §5): a name of that one connection, never
     * reused for another while this process runs, that the proxy puts in its Record-Route so that requests towards the
     * browser find its connection again; null for a connection that is not a WebSocket one.
     */
    default String flowToken(io.netty.channel.Channel connection) {
        return null;
    }

    /** Where a flow token's messages go: its connection, while it is open; null once it has closed (or never was). */
    default Destination flow(String token) {
        return null;
    }
}
