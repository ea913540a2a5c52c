package io.roundhouse.bench;

import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The buffer of each message the router sends (MessageWriter): a direct buffer of the message's size plus room for the
 * proxy's headers, filled and released on the same thread, as the event loop does between writeAndFlush and sendto.
 * Compares the allocators a writer can be given: Netty's pooled one (what ProxyCore passes), the adaptive one (Netty
 * 4.2's default, the channel's) and unpooled direct buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OutboundBufferBenchmark {

    @Param({"pooled", "adaptive", "unpooled"})
    public String allocator;

    private ByteBufAllocator alloc;
    private byte[] invite;

    @Setup
    public void load() {
        invite = TypicalInvite.bytes();
        alloc = switch (allocator) {
            case "pooled" -> PooledByteBufAllocator.DEFAULT;
            case "adaptive" -> new AdaptiveByteBufAllocator();
            case "unpooled" -> UnpooledByteBufAllocator.DEFAULT;
            default -> throw new IllegalArgumentException("allocator: " + allocator
                    + " (expected: pooled, adaptive or unpooled)");
        };
    }

    /** One forwarded INVITE's buffer: allocated, written, released. */
    @Benchmark
    public int forwardedMessageBuffer() {
        ByteBuf out = alloc.directBuffer(invite.length + 512);
        try {
            return out.writeBytes(invite).readableBytes();
        } finally {
            out.release();
        }
    }
}
