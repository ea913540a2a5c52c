package io.roundhouse.router.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParser;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One message a {@link SipTestAgent} received, with the raw text and helpers to read it.
 *
 * @param text      the message as received
 * @param source    where it came from
 * @param transport over what
 */
public record Received(String text, InetSocketAddress source, Transport transport) {

    /** The message parsed by the router's own parser (on a private copy). */
    public SipMessage message() {
        ByteBuf buf = Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
        return SipParser.parse(buf, true);
    }

    public boolean isRequest() {
        return !text.startsWith("SIP/2.0 ");
    }

    /** The method of a request, or "" for a response. */
    public String method() {
        return isRequest() ? text.substring(0, text.indexOf(' ')) : "";
    }

    /** The status code of a response, or 0 for a request. */
    public int status() {
        return isRequest() ? 0 : Integer.parseInt(text.substring(8, 11));
    }

    /** The CSeq method. */
    public String cseqMethod() {
        return message().cseq().method();
    }

    public String callId() {
        return message().callId();
    }

    /** Every value of a header (compact forms and comma lists resolved). */
    public List<String> headers(String name) {
        return message().values(name);
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> values = headers(name);
        return values.isEmpty() ? null : values.get(0);
    }

    public String requestUri() {
        return message().requestUri();
    }

    /** The body. */
    public String body() {
        SipMessage m = message();
        return text.substring(text.length() - m.bodyLength());
    }

    @Override
    public String toString() {
        return transport + " from " + source + ":\n" + text;
    }
}
