package io.roundhouse.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.roundhouse.router.proxy.ForwardEdits;
import io.roundhouse.router.proxy.MessageWriter;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.SipParser;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The router's per-INVITE hot path without the sockets: the datagram lands in a pooled buffer, {@link SipParser}
 * frames it and indexes the headers, the proxy reads what it needs (top Via, Call-ID, CSeq, Max-Forwards, To tag,
 * Route), and {@link MessageWriter} writes the forwarded copy with a new Via, Record-Route, received/rport and an
 * X-Exec-App header (RFC 3261 §16.6), everything else copied byte for byte.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParseAndForwardBenchmark {

    private static final String OUR_VIA = "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKRh5129a56d17245d36.0";
    private static final List<String> RECORD_ROUTE = List.of("<sip:127.0.0.1:5060;lr>");
    private static final Map<String, String> EXEC_APP = Map.of("X-Exec-App", "conference");

    private byte[] invite;
    private MessageWriter writer;

    @Setup
    public void load() {
        invite = TypicalInvite.bytes();
        writer = new MessageWriter(PooledByteBufAllocator.DEFAULT, "Roundhouse");
        // Fail at setup, not with a misleading number, when the fixture stops parsing.
        ByteBuf probe = datagram();
        try {
            SipMessage m = SipParser.parse(probe, true);
            if (m.defect() != null || !m.isMethod("INVITE")) {
                throw new IllegalStateException("invite.sip: does not parse as an INVITE: " + m.defect());
            }
        } finally {
            probe.release();
        }
    }

    /** Parse and read what a proxy reads, without forwarding. */
    @Benchmark
    public void parse(Blackhole bh) {
        ByteBuf in = datagram();
        try {
            SipMessage m = SipParser.parse(in, true);
            readWhatTheProxyReads(m, bh);
        } finally {
            in.release();
        }
    }

    /** Parse, read, and write the forwarded INVITE. */
    @Benchmark
    public int parseAndForward(Blackhole bh) {
        ByteBuf in = datagram();
        try {
            SipMessage m = SipParser.parse(in, true);
            readWhatTheProxyReads(m, bh);
            String topVia = m.text(m.vias().get(0)) + ";received=192.0.2.10;rport=5060";
            ForwardEdits edits = new ForwardEdits(null, OUR_VIA, RECORD_ROUTE, topVia, List.of(), null, EXEC_APP);
            ByteBuf out = writer.forwardRequest(m, edits);
            try {
                return out.readableBytes();
            } finally {
                out.release();
            }
        } finally {
            in.release();
        }
    }

    private ByteBuf datagram() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(invite.length);
        return buf.writeBytes(invite);
    }

    private static void readWhatTheProxyReads(SipMessage m, Blackhole bh) {
        bh.consume(m.topVia());
        bh.consume(m.callId());
        bh.consume(m.cseq());
        bh.consume(m.maxForwards());
        bh.consume(m.toTagOrNull());
        bh.consume(m.values("Route"));
    }
}
