package io.roundhouse.router.transport.ws;

import io.netty.handler.codec.DecoderException;

/** A WebSocket message that cannot be a SIP message (too long, broken frame): the connection is closed, the message counted. */
public final class WebSocketFramingException extends DecoderException {
    private static final long serialVersionUID = 1L;

    WebSocketFramingException(String reason) {
        super(reason);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // expected peer behaviour, not a bug: no stack trace to build
    }
}
