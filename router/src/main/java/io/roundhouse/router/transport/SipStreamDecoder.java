package io.roundhouse.router.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts a TCP byte stream into SIP messages (RFC 3261 §18.3: over a stream, Content-Length delimits the body), as a
 * small explicit state machine after Netty's HttpObjectDecoder. Emits each whole message as one retained slice; the
 * SIP parser then works on it as on a datagram.
 *
 * <p>Limits: a message longer than {@code maxMessageSize} fails the stream, since after it the framing cannot be
 * trusted; so does a missing or malformed Content-Length. A failure is reported with {@link SipFramingException} and
 * the connection is closed by the next handler. CRLFs between messages are keep-alives (RFC 5626 §4.4.1): a double
 * CRLF is answered with a single CRLF.
 *
 * <p>Deadline (slowloris): with a message timeout, a message must be whole within it after its first byte, and on a
 * connection a peer opened the first message must be whole within it after the connection opened. One periodic check
 * per connection, every timeout, compares the messages completed since the previous check: a message still incomplete
 * at two checks in a row fails the stream, so a slow message is cut between once and twice the timeout, with no clock
 * read and no allocation per message.
 */
public final class SipStreamDecoder extends ByteToMessageDecoder {

    private enum State { SKIP_CRLF, READ_HEADERS, READ_BODY, FAILED }

    private final int maxMessageSize;
    private final Duration messageTimeout;
    private State state = State.SKIP_CRLF;
    /** Until the first message is whole, the connection counts as in a message (a peer-opened connection). */
    private boolean awaitingFirst;
    private long completed;
    private boolean pendingAtLastCheck;
    private long completedAtLastCheck;
    private ScheduledFuture<?> deadlineCheck;
    /** Where the header scan resumes, relative to the reader index: bytes already scanned are not scanned again. */
    private int scanned;
    private int headerLength;
    private int contentLength;

    /** A decoder without a message deadline. */
    public SipStreamDecoder(int maxMessageSize) {
        this(maxMessageSize, null, false);
    }

    /**
     * @param messageTimeout  the message deadline, or null for none
     * @param firstMessageDue true on a connection a peer opened: its first message is due within the deadline too
     */
    public SipStreamDecoder(int maxMessageSize, Duration messageTimeout, boolean firstMessageDue) {
        this.maxMessageSize = maxMessageSize;
        this.messageTimeout = messageTimeout;
        this.awaitingFirst = firstMessageDue && messageTimeout != null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (messageTimeout != null) {
            long period = messageTimeout.toNanos();
            deadlineCheck = ctx.executor().scheduleAtFixedRate(() -> checkDeadline(ctx), period, period,
                    TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        super.channelInactive(ctx);
    }

    private void cancelDeadline() {
        if (deadlineCheck != null) {
            deadlineCheck.cancel(false);
            deadlineCheck = null;
        }
    }

    private void checkDeadline(ChannelHandlerContext ctx) {
        boolean pending = awaitingFirst || state == State.READ_HEADERS || state == State.READ_BODY;
        if (pending && pendingAtLastCheck && completed == completedAtLastCheck) {
            cancelDeadline();
            state = State.FAILED;
            ctx.fireExceptionCaught(new SipFramingException(awaitingFirst
                    ? "no whole message within " + messageTimeout.toMillis() + " ms of connecting"
                    : "message not whole within " + messageTimeout.toMillis() + " ms of its first byte"));
            return;
        }
        pendingAtLastCheck = pending;
        completedAtLastCheck = completed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case SKIP_CRLF -> {
                    int crlfs = 0;
                    while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r'
                            || in.getByte(in.readerIndex()) == '\n')) {
                        in.skipBytes(1);
                        crlfs++;
                    }
                    if (crlfs >= 4) {
                        // RFC 5626 §4.4.1 "ping": CRLFCRLF is answered by a CRLF "pong".
                        ctx.writeAndFlush(ctx.alloc().buffer(2).writeByte('\r').writeByte('\n'));
                    }
                    if (!in.isReadable()) {
                        return;
                    }
                    state = State.READ_HEADERS;
                    scanned = 0;
                }
                case READ_HEADERS -> {
                    int end = findHeaderEnd(in);
                    if (end < 0) {
                        if (in.readableBytes() > maxMessageSize) {
                            fail(in, "header section longer than " + maxMessageSize + " bytes");
                            return;
                        }
                        return;
                    }
                    headerLength = end;
                    long length = contentLength(in, end);
                    if (length < 0) {
                        fail(in, length == -1 ? "missing Content-Length (mandatory over TCP, RFC 3261 §18.3)"
                                : length == -3 ? "two different Content-Length values" : "malformed Content-Length");
                        return;
                    }
                    if (headerLength + length > maxMessageSize) {
                        fail(in, "message of " + (headerLength + length) + " bytes exceeds the limit of "
                                + maxMessageSize);
                        return;
                    }
                    contentLength = (int) length;
                    state = State.READ_BODY;
                }
                case READ_BODY -> {
                    int total = headerLength + contentLength;
                    if (in.readableBytes() < total) {
                        return;
                    }
                    out.add(in.readRetainedSlice(total));
                    state = State.SKIP_CRLF;
                    completed++;
                    awaitingFirst = false;
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    private void fail(ByteBuf in, String reason) {
        state = State.FAILED;
        in.skipBytes(in.readableBytes());
        throw new SipFramingException(reason);
    }

    /** Length of the header section including the empty line, or -1 when not all here yet. */
    private int findHeaderEnd(ByteBuf in) {
        int start = in.readerIndex();
        int from = start + Math.max(0, scanned - 3);
        int to = in.writerIndex();
        for (int i = from; i < to; i++) {
            if (in.getByte(i) == '\n') {
                // "\n\n" or "\n\r\n" ends the header section.
                if (i + 1 < to && in.getByte(i + 1) == '\n') {
                    return i + 2 - start;
                }
                if (i + 2 < to && in.getByte(i + 1) == '\r' && in.getByte(i + 2) == '\n') {
                    return i + 3 - start;
                }
            }
        }
        scanned = to - start;
        return -1;
    }

    /**
     * Content-Length from the header section: -1 when absent, -2 when malformed (leading zeros are fine), -3 when two
     * differ: then no one knows where the body ends (RFC 4475 §3.3.9), and following either would desynchronise the
     * stream. The same value twice frames fine; the proxy refuses the duplicate with 400.
     */
    private static long contentLength(ByteBuf in, int headerLength) {
        int start = in.readerIndex();
        int end = start + headerLength;
        int line = start;
        long found = -1;
        while (line < end) {
            int lf = in.indexOf(line, end, (byte) '\n');
            if (lf < 0) {
                break;
            }
            int colon = in.indexOf(line, lf, (byte) ':');
            if (colon > line && isContentLength(in, line, colon)) {
                long v = 0;
                int digits = 0;
                for (int p = colon + 1; p < lf; p++) {
                    byte b = in.getByte(p);
                    if (b >= '0' && b <= '9') {
                        v = v * 10 + (b - '0');
                        digits++;
                        if (v > Integer.MAX_VALUE) {
                            return -2;
                        }
                    } else if (b != ' ' && b != '\t' && b != '\r') {
                        return -2;
                    }
                }
                if (digits == 0) {
                    return -2;
                }
                if (found >= 0 && found != v) {
                    return -3;
                }
                found = v;
            }
            line = lf + 1;
        }
        return found;
    }

    private static boolean isContentLength(ByteBuf in, int start, int colon) {
        int end = colon;
        while (end > start && (in.getByte(end - 1) == ' ' || in.getByte(end - 1) == '\t')) {
            end--;
        }
        int n = end - start;
        if (n == 1) {
            byte b = in.getByte(start);
            return b == 'l' || b == 'L';
        }
        if (n != 14) {
            return false;
        }
        String name = "content-length";
        for (int i = 0; i < n; i++) {
            int b = in.getByte(start + i);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The stream cannot be framed any further. */
    public static final class SipFramingException extends TooLongFrameException {
        private static final long serialVersionUID = 1L;

        public SipFramingException(String reason) {
            super(reason);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
