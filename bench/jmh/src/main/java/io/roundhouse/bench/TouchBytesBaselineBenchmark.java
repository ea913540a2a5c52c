package io.roundhouse.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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

/**
 * The floor under any parse-and-forward: copy the datagram into a pooled Netty buffer (as the UDP read does), find the
 * end of the headers and the first Via line, and release. The router's own parse-and-forward benchmark is read
 * against this number.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TouchBytesBaselineBenchmark {

    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};
    private static final byte[] VIA = {'\n', 'V', 'i', 'a', ':'};

    private byte[] invite;

    @Setup
    public void load() {
        invite = TypicalInvite.bytes();
    }

    @Benchmark
    public int copyAndScan() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(invite.length);
        try {
            buf.writeBytes(invite);
            return find(buf, HEADER_END) + find(buf, VIA);
        } finally {
            buf.release();
        }
    }

    /** Index of {@code needle}, jumping between occurrences of its first byte as a real framer would. */
    private static int find(ByteBuf buf, byte[] needle) {
        int end = buf.writerIndex() - needle.length;
        int i = buf.readerIndex();
        while (i <= end) {
            i = buf.indexOf(i, end + 1, needle[0]);
            if (i < 0) {
                return -1;
            }
            if (matchesAt(buf, i, needle)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static boolean matchesAt(ByteBuf buf, int at, byte[] needle) {
        for (int j = 1; j < needle.length; j++) {
            if (buf.getByte(at + j) != needle[j]) {
                return false;
            }
        }
        return true;
    }
}
