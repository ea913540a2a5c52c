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
}
