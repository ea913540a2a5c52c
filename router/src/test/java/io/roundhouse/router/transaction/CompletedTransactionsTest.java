package io.roundhouse.router.transaction;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.MessageSender;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Completed server transactions kept as bytes: found by key, answered, ended in order, bounded. */
class CompletedTransactionsTest {

    private static final int CHUNK = CompletedTransactions.DEFAULT_CHUNK_BYTES;
    private static final Destination CALLER = Destination.of(Transport.UDP, new InetSocketAddress("127.0.0.7", 5070));
    private static final Destination CALLER_V6 = Destination.of(Transport.UDP, new InetSocketAddress("::1", 5071));

    private final List<String> sent = new ArrayList<>();
    private final List<Destination> sentTo = new ArrayList<>();
    private final MessageSender sender = new MessageSender() {
        @Override
        public void send(ByteBuf message, Destination destination, Consumer<Throwable> onFailure) {
            sent.add(message.toString(StandardCharsets.ISO_8859_1));
            sentTo.add(destination);
            message.release();
        }
    };

    private static ServerKey key(int i) {
        return new ServerKey("z9hG4bK-" + i, "127.0.0.1:5060", "BYE");
    }

    private static ByteBuf response(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
    }

    private boolean retransmission(CompletedTransactions c, ServerKey key) {
        return c.retransmission(key, sender, UnpooledByteBufAllocator.DEFAULT);
    }

    @Test
    void aRetransmissionGetsTheSameResponseBytesAtTheSameAddress() {
        CompletedTransactions c = new CompletedTransactions(100, 1 << 20, CHUNK);
        c.add(key(1), 10, response("SIP/2.0 200 OK\r\nCall-ID: a\r\n\r\n"), CALLER);
        c.add(key(2), 10, response("SIP/2.0 486 Busy\r\n\r\n"), CALLER_V6);

        assertThat(retransmission(c, key(2))).isTrue();
        assertThat(retransmission(c, key(1))).isTrue();
        assertThat(sent).containsExactly("SIP/2.0 486 Busy\r\n\r\n", "SIP/2.0 200 OK\r\nCall-ID: a\r\n\r\n");
        assertThat(sentTo).containsExactly(CALLER_V6, CALLER);
    }

    @Test
    void aSilentRecordAbsorbsWithoutSending() {
        CompletedTransactions c = new CompletedTransactions(100, 1 << 20, CHUNK);
        ServerKey invite = new ServerKey("z9hG4bK-1", "127.0.0.1:5060", "INVITE");
        c.add(invite, 10, null, null);

        assertThat(retransmission(c, invite)).isTrue();
        assertThat(sent).isEmpty();
    }

    @Test
    void everyPartOfTheKeyCounts() {
        CompletedTransactions c = new CompletedTransactions(100, 1 << 20, CHUNK);
        c.add(new ServerKey("z9hG4bK-1", "127.0.0.1:5060", "INVITE"), 10, null, null);

        assertThat(c.contains(new ServerKey("z9hG4bK-1", "127.0.0.1:5060", "INVITE"))).isTrue();
        assertThat(c.contains(new ServerKey("z9hG4bK-2", "127.0.0.1:5060", "INVITE"))).isFalse();
        assertThat(c.contains(new ServerKey("z9hG4bK-1", "127.0.0.1:5061", "INVITE"))).isFalse();
        assertThat(c.contains(new ServerKey("z9hG4bK-1", "127.0.0.1:5060", "BYE"))).isFalse();
        // Where the parts split is part of the key too.
        assertThat(c.contains(new ServerKey("z9hG4bK-1\n127.0.0.1:5060", "", "INVITE"))).isFalse();
    }

    @Test
    void aKeyBeyondLatin1IsKeptAndMatchedExactly() {
        CompletedTransactions c = new CompletedTransactions(100, 1 << 20, CHUNK);
        ServerKey wide = new ServerKey("z9hG4bK-\u20ac", "h:5060", "BYE");
        c.add(wide, 10, null, null);

        assertThat(c.contains(wide)).isTrue();
        assertThat(c.contains(new ServerKey("z9hG4bK-\u00ac", "h:5060", "BYE"))).isFalse();
    }

    @Test
    void recordsEndInOrderWhenTheirTimeComes() {
        CompletedTransactions c = new CompletedTransactions(100, 1 << 20, CHUNK);
        c.add(key(1), 100, null, null);
        c.add(key(2), 200, null, null);

        c.expire(99);
        assertThat(c.size()).isEqualTo(2);
        c.expire(100);
        assertThat(c.contains(key(1))).isFalse();
        assertThat(c.contains(key(2))).isTrue();
        assertThat(c.oldestExpiry()).isEqualTo(200);
        c.expire(200);
        assertThat(c.size()).isZero();
        assertThat(c.heldBytes()).as("no chunk is held once every record has ended").isZero();
    }

    @Test
    void theLogWrapsAroundItsChunksAndKeepsFindingEveryLiveRecord() {
        // Two chunks of room: records are written round and round, each ending (in order) before it is overwritten.
        CompletedTransactions c = new CompletedTransactions(1 << 20, CHUNK * 2L, CHUNK);
        String body = "x".repeat(900);
        int live = 300; // about 280 KB of records: a chunk and more
        for (int i = 0; i < 5_000; i++) {
            c.add(key(i), i, response(body + i), CALLER);
            if (i >= live) {
                c.expire(i - live);
                assertThat(c.contains(key(i - live))).isFalse();
            }
        }
        assertThat(c.endedEarly()).isZero();
        assertThat(c.size()).isEqualTo(live);
        for (int i = 5_000 - live; i < 5_000; i++) {
            assertThat(retransmission(c, key(i))).as("record %d", i).isTrue();
            assertThat(sent.get(sent.size() - 1)).isEqualTo(body + i);
        }
        assertThat(c.heldBytes()).isLessThanOrEqualTo(3L * CHUNK);
        assertThat(c.chunksAllocated()).as("about 18 chunks written, every one after the first few reused")
                .isLessThanOrEqualTo(3);
    }

    @Test
    void pastItsByteBoundTheOldestRecordsEndEarlyAndAreCounted() {
        CompletedTransactions c = new CompletedTransactions(1 << 20, CHUNK, CHUNK);
        String body = "y".repeat(1_000);
        for (int i = 0; i < 1_000; i++) {
            c.add(key(i), 1_000_000, response(body), CALLER);
        }
        assertThat(c.endedEarly()).isPositive();
        assertThat(c.size()).isEqualTo(1_000 - (int) c.endedEarly());
        assertThat(c.contains(key(0))).isFalse();
        assertThat(c.contains(key(999))).isTrue();
        assertThat(c.heldBytes()).isLessThanOrEqualTo(2L * CHUNK);
    }

    @Test
    void pastItsRecordBoundTheOldestRecordEndsEarly() {
        CompletedTransactions c = new CompletedTransactions(3, 1 << 20, CHUNK);
        for (int i = 0; i < 5; i++) {
            c.add(key(i), 10, null, null);
        }
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.endedEarly()).isEqualTo(2);
        assertThat(c.contains(key(1))).isFalse();
        assertThat(c.contains(key(2))).isTrue();
    }

    @Test
    void theIndexGrowsAndEndingRecordsLeavesNoHoleInAProbeRun() {
        CompletedTransactions c = new CompletedTransactions(1 << 20, 64L << 20, CHUNK);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            c.add(key(i), i, null, null);
        }
        c.expire(n / 2 - 1); // ends the first half, each removed from the middle of its probe run
        for (int i = 0; i < n; i++) {
            assertThat(c.contains(key(i))).as("record %d", i).isEqualTo(i >= n / 2);
        }
    }

    @Test
    void underG1AChunkTakesOneWholeRegionSoItIsAllocatedOutsideTheYoungGeneration() {
        // The router's launch and the tests run G1 (the JDK's default): a region is 1 MiB or more.
        int chunk = CompletedTransactions.chunkBytesForThisHeap();
        assertThat(chunk).isGreaterThanOrEqualTo((1 << 20) - 1024);
        assertThat(Integer.bitCount(chunk + 1024)).as("a region less the margin").isEqualTo(1);
    }

    @Test
    void afterClearNothingIsKeptAndRecordsCanBeAddedAgain() {
        CompletedTransactions c = new CompletedTransactions(100, 1 << 20, CHUNK);
        c.add(key(1), 10, response("SIP/2.0 200 OK\r\n\r\n"), CALLER);
        c.clear();
        assertThat(c.contains(key(1))).isFalse();
        c.add(key(2), 20, response("SIP/2.0 200 OK\r\n\r\n"), CALLER);
        assertThat(retransmission(c, key(2))).isTrue();
    }
}
