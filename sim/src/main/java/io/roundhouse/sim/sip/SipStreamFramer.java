package io.roundhouse.sim.sip;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Frames SIP messages on a TCP stream (RFC 3261 §18.3): the header section up to the empty line, then exactly
 * Content-Length bytes of body. CRLF keep-alives between messages (RFC 5626 §4.4.1) are skipped. A message without
 * Content-Length or larger than {@link #MAX_MESSAGE} closes the connection: nothing after it on the stream can be
 * framed.
 */
public final class SipStreamFramer extends ByteToMessageDecoder {

    /** As the router's default {@code sip.max-message-size}. */
    static final int MAX_MESSAGE = 65_536;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
            in.skipBytes(1);
        }
        int end = headerEnd(in);
        if (end < 0) {
            if (in.readableBytes() > MAX_MESSAGE) {
                ctx.close();
            }
            return;
        }
        String head = in.toString(in.readerIndex(), end, StandardCharsets.UTF_8);
        int length = contentLength(head);
        int total = end + 4 + Math.max(length, 0);
        if (length < 0 || total > MAX_MESSAGE) {
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }
        if (in.readableBytes() < total) {
            return;
        }
        byte[] message = new byte[total];
        in.readBytes(message);
        out.add(message);
    }

    /** Offset from the reader index of the CRLFCRLF that ends the header section, or -1. */
    private static int headerEnd(ByteBuf in) {
        int start = in.readerIndex();
        for (int i = start; i + 3 < in.writerIndex(); i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                    && in.getByte(i + 3) == '\n') {
                return i - start;
            }
        }
        return -1;
    }

    /** The Content-Length (or {@code l}) value, -1 when absent or not a number. */
    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            if (name.equals("content-length") || name.equals("l")) {
                try {
                    return Integer.parseInt(line.substring(colon + 1).strip());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }
}
