package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;
import io.netty.channel.Channel;
import io.roundhouse.router.overload.OverloadGuard;
import io.roundhouse.router.overload.RecentlyShed;
import io.roundhouse.router.sip.Fnv1a;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.sip.Via;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.TransactionTable;
import io.roundhouse.router.transport.AtTheDoor;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * Overload at the door: what a request costs the event loop before the proxy validates it, when the router sheds new
 * calls (docs/security.md, "Overload"). At twice the clean rate most INVITEs are shed, so each must cost as little as
 * possible and cause no more work afterwards:
 * <ul>
 *   <li>a new out-of-dialog INVITE (no To tag, no server transaction) that the {@link OverloadGuard} refuses is
 *       answered 503 right after framing: no validation, no Route planning, the response copied from the request's
 *       lines (Via with received/rport, §18.2.1; From; To with a tag; Call-ID; CSeq) and a prepared tail;</li>
 *   <li>a retransmission of a shed INVITE gets another 503 whatever the guard says by then ({@link RecentlyShed}), so
 *       that the call the caller was refused never starts later;</li>
 *   <li>the caller's ACK of a stateless response of the router (§17.1.1.3: it carries that response's To tag, which
 *       starts {@value LocalResponses#STATELESS_TAG_PREFIX}) is absorbed on sight and counted.</li>
 * </ul>
 * Anything unusual (a defect, a To tag, a header twice, a Via that does not parse, shutting down) goes to the proxy's
 * normal path, which validates it and may still shed it there.
 */
final class NewCallShedding {

    private static final byte[] STATUS_LINE = ascii("SIP/2.0 503 Service Unavailable\r\n");
    private static final byte[] TAG = ascii(";tag=" + LocalResponses.STATELESS_TAG_PREFIX);
    private static final byte[] STATELESS_TAG = ascii("tag=" + LocalResponses.STATELESS_TAG_PREFIX);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEX = ascii("0123456789abcdef");
    /** A stateless 503 that cannot be sent needs no handling: the caller retransmits and gets another. */
    private static final Consumer<Throwable> IGNORE_FAILURE = e -> { };

    private final OverloadGuard guard;
    private final RecentlyShed recentlyShed;
    /** On the event loop: null, the transaction table knows the calls in progress; at the door: those it let in. */
    private final RecentlyShed letIn;
    private final TransactionTable table;
    private final ProxyMetrics metrics;
    private final ByteBufAllocator alloc;
    private final Fnv fnv = new Fnv();
    /** Server, Retry-After, Warning, Content-Length and the blank line: the same for every shed 503. */
    private final byte[] tail;

    private NewCallShedding(OverloadGuard guard, RecentlyShed recentlyShed, RecentlyShed letIn, TransactionTable table,
                            ProxyMetrics metrics, ByteBufAllocator alloc, String serverName, List<String> shedHeaders) {
        this.guard = guard;
        this.recentlyShed = recentlyShed;
        this.letIn = letIn;
        this.table = table;
        this.metrics = metrics;
        this.alloc = alloc;
        StringBuilder t = new StringBuilder("Server: ").append(serverName).append("\r\n");
        for (String h : shedHeaders) {
            t.append(h).append("\r\n");
        }
        this.tail = t.append("Content-Length: 0\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The event loop's: a retransmission of a call in progress is known by its server transaction. */
    static NewCallShedding onTheLoop(OverloadGuard guard, RecentlyShed recentlyShed, TransactionTable table,
                                     ProxyMetrics metrics, ByteBufAllocator alloc, String serverName,
                                     List<String> shedHeaders) {
        return new NewCallShedding(guard, recentlyShed, null, table, metrics, alloc, serverName, shedHeaders);
    }

    /**
     * The door's, on the thread that reads a port for new calls (docs/security.md, "A port for new calls"): it cannot
     * see the event loop's transactions, so it remembers every new INVITE it let in ({@code letIn}, for 64*T1 as
     * {@code recentlyShed}) and lets their retransmissions in again; it fingerprints every new INVITE, not only while
     * shedding. Both sets are the door thread's own.
     */
    static NewCallShedding atTheDoor(OverloadGuard guard, RecentlyShed recentlyShed, RecentlyShed letIn,
                                     ProxyMetrics metrics, ByteBufAllocator alloc, String serverName,
                                     List<String> shedHeaders) {
        return new NewCallShedding(guard, recentlyShed, letIn, null, metrics, alloc, serverName, shedHeaders);
    }

    /**
     * Looks at a request just framed. {@code callsInProgress} is the proxy's count; {@code stopping}: the router is
     * shutting down (its own 503 then, from the normal path).
     */
    AtTheDoor atTheDoor(SipMessage m, Transport transport, InetSocketAddress source, Channel connection,
                        int callsInProgress, boolean stopping, MessageSender sender) {
        if (m.isMethod("ACK")) {
            return absorbsAckOfStatelessResponse(m) ? AtTheDoor.DONE : AtTheDoor.PASSED;
        }
        if (!m.isMethod("INVITE") || stopping || m.defect() != null) {
            return AtTheDoor.PASSED;
        }
        boolean remembered = !recentlyShed.isEmpty();
        if (!remembered && letIn == null && !guard.shedding(callsInProgress)) {
            return AtTheDoor.PASSED; // the usual case on the loop: one method call, nothing read
        }
        int to = m.first(HeaderName.TO);
        if (to < 0 || !plainToWithoutTag(m, to) || m.first(HeaderName.FROM) < 0 || m.first(HeaderName.CALL_ID) < 0
                || m.first(HeaderName.CSEQ) < 0 || m.repeatedSingleInstance() != null) {
            return AtTheDoor.PASSED;
        }
        Via top;
        long fingerprint;
        try {
            top = m.topVia();
            fingerprint = fingerprint(m);
            if (remembered && recentlyShed.contains(fingerprint)) {
                metrics.shedRetransmission();
                answer503(m, transport, source, connection, top, sender);
                return AtTheDoor.DONE;
            }
            if (letIn == null ? table.knows(ServerKey.of(m)) : letIn.contains(fingerprint)) {
                // A retransmission of a call in progress: its transaction answers it (at the door: unless that call
                // is answered 503 there first, while both wait for the loop).
                return letIn == null ? AtTheDoor.PASSED : AtTheDoor.AGAIN;
            }
        } catch (SipParseException e) {
            return AtTheDoor.PASSED; // the normal path answers 400
        }
        if (guard.admitsNewCall(callsInProgress)) {
            if (letIn != null) {
                letIn.add(fingerprint);
            }
            return AtTheDoor.ADMITTED;
        }
        recentlyShed.add(fingerprint);
        answer503(m, transport, source, connection, top, sender);
        return AtTheDoor.DONE;
    }

    /**
     * A new INVITE this door admitted that waited for the event loop too long: answered 503 now and remembered as shed,
     * so that a retransmission of it is shed too (it was framed and checked when admitted).
     */
    void heldTooLong(SipMessage m, Transport transport, InetSocketAddress source, Channel connection,
                     MessageSender sender) {
        recentlyShed.add(fingerprint(m));
        answer503(m, transport, source, connection, m.topVia(), sender);
    }

    /** The ACK of a response the router sent without a transaction (§17.1.1.3): nothing is sent on, it ends here. */
    private boolean absorbsAckOfStatelessResponse(SipMessage m) {
        int to = m.first(HeaderName.TO);
        if (to < 0 || indexOf(m.buffer(), m.valueStart(to), m.valueEnd(to), STATELESS_TAG) < 0) {
            return false;
        }
        metrics.statelessAckAbsorbed();
        return true;
    }

    private void answer503(SipMessage m, Transport transport, InetSocketAddress source, Channel connection, Via top,
                           MessageSender sender) {
        metrics.shed();
        metrics.localResponse(503);
        metrics.out();
        ByteBuf response = write503(m, ProxyCore.responseVia(transport, source, top));
        sender.send(response, ProxyCore.responseDestination(transport, source, connection, top), IGNORE_FAILURE);
    }

    /**
     * The 503 (§8.2.6.2): the request's Via lines (the top one with received/rport), From, To with a stateless tag,
     * Call-ID and CSeq, each copied from the request's bytes with any control character §25.1 forbids replaced by '?'
     * (the request was not validated: its answer must be well-formed whatever it held, RFC 4475 §3.1.2), then the tail.
     */
    private ByteBuf write503(SipMessage m, String topVia) {
        ByteBuf out = alloc.directBuffer(512);
        out.writeBytes(STATUS_LINE);
        ValueRange first = m.vias().get(0);
        for (int i = 0; i < m.headerCount(); i++) {
            switch (m.headerName(i)) {
                case VIA -> {
                    if (i == first.header()) {
                        copy(out, m, m.lineStart(i), first.start());
                        ByteBufUtil.writeUtf8(out, topVia);
                        copy(out, m, first.end(), m.lineEnd(i));
                    } else {
                        copy(out, m, m.lineStart(i), m.lineEnd(i));
                    }
                }
                case FROM, CALL_ID, CSEQ -> copy(out, m, m.lineStart(i), m.lineEnd(i));
                case TO -> {
                    copy(out, m, m.lineStart(i), m.valueEnd(i));
                    out.writeBytes(TAG);
                    writeHex(out, ThreadLocalRandom.current().nextLong());
                    out.writeBytes(CRLF);
                }
                default -> {
                    // Not copied into a response of the router's own.
                }
            }
        }
        out.writeBytes(tail);
        return out;
    }

    /** Copies {@code [from, end)} of the request as {@link MessageWriter#copyLine} does. */
    private static void copy(ByteBuf out, SipMessage m, int from, int end) {
        MessageWriter.copyLine(out, m.buffer(), from, end);
    }

    private static void writeHex(ByteBuf out, long v) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(int) (v >>> shift) & 0xf]);
        }
    }

    /**
     * True for a To value the 503 can take a tag after as it is: quotes and angle brackets closed, and no {@code tag}
     * parameter (§20.39; a To tag means a request inside a dialog, which is never shed). Parameters come after the
     * name-addr's '>', or after the first ';' of a bare addr-spec, whose own URI parameters a bare form cannot have
     * (§20.10), so every ';' outside quotes and brackets starts a header parameter.
     */
    private static boolean plainToWithoutTag(SipMessage m, int h) {
        ByteBuf buf = m.buffer();
        int end = m.valueEnd(h);
        int semi = SipMessage.outsideQuotesAndBrackets(buf, m.valueStart(h), end, (byte) ';');
        while (semi >= 0 && semi < end) {
            if (isTagParameter(buf, semi + 1, end)) {
                return false;
            }
            semi = SipMessage.outsideQuotesAndBrackets(buf, semi + 1, end, (byte) ';');
        }
        return semi == end; // -1: a quote or bracket left open
    }

    /** {@code SWS "tag" SWS "="} from {@code p} (§25.1: SEMI and EQUAL allow whitespace around them). */
    private static boolean isTagParameter(ByteBuf buf, int p, int end) {
        p = skipSpace(buf, p, end);
        if (end - p < 3 || (buf.getByte(p) | 0x20) != 't' || (buf.getByte(p + 1) | 0x20) != 'a'
                || (buf.getByte(p + 2) | 0x20) != 'g') {
            return false;
        }
        p = skipSpace(buf, p + 3, end);
        return p < end && buf.getByte(p) == '=';
    }

    private static int skipSpace(ByteBuf buf, int p, int end) {
        while (p < end) {
            byte b = buf.getByte(p);
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                break;
            }
            p++;
        }
        return p;
    }

    /**
     * Names an INVITE's transaction in 64 bits: its top Via value (branch and sent-by, §17.2.3) and its Call-ID, as
     * bytes. A retransmission is the same request (§17.1.1.2), so it has the same fingerprint; a new attempt has a new
     * branch. FNV-1a, then a finalizer that spreads every input bit over the word (MurmurHash3's fmix64).
     */
    private long fingerprint(SipMessage m) {
        ValueRange via = m.vias().get(0);
        int callId = m.first(HeaderName.CALL_ID);
        fnv.hash = Fnv1a.OFFSET;
        m.buffer().forEachByte(via.start(), via.end() - via.start(), fnv);
        m.buffer().forEachByte(m.valueStart(callId), m.valueEnd(callId) - m.valueStart(callId), fnv);
        return Fnv1a.finish(fnv.hash);
    }

    /** FNV-1a over the bytes it is shown; reused (one per thread), so that a fingerprint allocates nothing. */
    private static final class Fnv implements ByteProcessor {
        long hash;

        @Override
        public boolean process(byte b) {
            hash = Fnv1a.step(hash, b & 0xff);
            return true;
        }
    }

    private static int indexOf(ByteBuf buf, int from, int end, byte[] needle) {
        outer:
        for (int p = from; p <= end - needle.length; p++) {
            for (int k = 0; k < needle.length; k++) {
                if (buf.getByte(p + k) != needle[k]) {
                    continue outer;
                }
            }
            return p;
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
