package io.roundhouse.router.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket lines of /proc/net/udp and /proc/net/udp6, read from lines a Linux 6 kernel wrote
 * ({@code src/test/resources/proc/net/}, ports set to 5060 and 5061; trailing padding kept): a wildcard, a loopback
 * socket with 7,680 bytes queued and 34 drops, an IPv6 one and an IPv4-mapped one (a dual-stack socket). The kernel
 * prints addresses in host byte order: these were written on x86.
 */
@Timeout(10)
class ProcNetUdpTest {

    private static final Path PROC = Path.of("src/test/resources/proc");

    record Seen(InetSocketAddress local, long rxQueue, long inode, long drops) {
    }

    /** The fixtures' kernel ran on x86: the tests read them as such on any host. */
    private static final ByteOrder X86 = ByteOrder.LITTLE_ENDIAN;

    private static List<Seen> parse(String file) throws IOException {
        byte[] text = Files.readAllBytes(PROC.resolve("net").resolve(file));
        List<Seen> seen = new ArrayList<>();
        int n = ProcNetUdp.parse(text, text.length, new ProcNetUdp.Line(X86),
                l -> seen.add(new Seen(l.local(), l.rxQueue, l.inode, l.drops)));
        assertThat(n).isEqualTo(seen.size());
        return seen;
    }

    @Test
    void ipv4LinesGiveAddressPortQueueInodeAndDrops() throws IOException {
        assertThat(parse("udp")).containsExactly(
                new Seen(new InetSocketAddress("0.0.0.0", 5060), 0, 500918, 0),
                new Seen(new InetSocketAddress("127.0.0.1", 5061), 7680, 499706, 34),
                new Seen(new InetSocketAddress("127.0.0.1", 39894), 0, 429701, 0));
    }

    @Test
    void ipv6LinesIncludingAnIpv4MappedOne() throws IOException {
        assertThat(parse("udp6")).containsExactly(
                new Seen(new InetSocketAddress("::1", 5060), 0, 500917, 0),
                new Seen(new InetSocketAddress("127.0.0.1", 58059), 7680, 499707, 34));
    }

    @Test
    void aSocketIsMatchedByItsBoundAddressWithWildcardsAndMappedAddressesAsTheKernelHasThem() {
        byte[] text = ("  sl  local_address rem_address st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode ref"
                + " pointer drops\n"
                + " 5978: 0000000000000000FFFF00000100007F:13C4 00000000000000000000000000000000:0000 07"
                + " 00000000:00001E00 00:00000000 00000000     0        0 499707 2 00000000beeb3cd6 34\n"
                + " 1760: 00000000:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 500918 2"
                + " 000000008a89d6e4 0        \n").getBytes(StandardCharsets.US_ASCII);
        List<List<Boolean>> matches = new ArrayList<>();
        ProcNetUdp.parse(text, text.length, new ProcNetUdp.Line(X86), l -> matches.add(List.of(
                l.isBoundTo(new InetSocketAddress("127.0.0.1", 5060)),
                l.isBoundTo(new InetSocketAddress("0.0.0.0", 5060)),
                l.isBoundTo(new InetSocketAddress("::", 5060)),
                l.isBoundTo(new InetSocketAddress("127.0.0.1", 5061)))));
        assertThat(matches).containsExactly(
                List.of(true, false, false, false), // ::ffff:127.0.0.1 is 127.0.0.1 and no wildcard
                List.of(false, true, true, false)); // a wildcard is any wildcard (Java binds 0.0.0.0 as :: at times)
    }

    @Test
    void aBigEndianKernelPrintsTheAddressInNetworkOrder() {
        byte[] text = (" 4197: 7F000001:13C4 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0"
                + " 429701 2 00000000eb40d1dd 0\n").getBytes(StandardCharsets.US_ASCII);
        List<InetSocketAddress> seen = new ArrayList<>();
        ProcNetUdp.parse(text, text.length, new ProcNetUdp.Line(ByteOrder.BIG_ENDIAN), l -> seen.add(l.local()));
        assertThat(seen).containsExactly(new InetSocketAddress("127.0.0.1", 5060));
    }

    @Test
    void truncatedOrForeignLinesAreSkippedNotMisread() {
        String good = " 4197: 0100007F:9BD6 00000000:0000 07 00000000:00000010 00:00000000 00000000     0        0"
                + " 429701 2 00000000eb40d1dd 7";
        String text = "   sl  local_address rem_address   st tx_queue rx_queue\n"
                + good.substring(0, 60) + "\n" // cut in the middle, as a short read would leave it
                + " 4198: 0100007F:ZZZZ 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0\n"
                + " 4199: 0100007F1:9BD6 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 1 2 0 0\n"
                + "\n" + good; // the last line without its newline
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        List<Long> inodes = new ArrayList<>();
        ProcNetUdp.parse(bytes, bytes.length, new ProcNetUdp.Line(X86), l -> inodes.add(l.inode));
        assertThat(inodes).containsExactly(429701L);
    }

    private static UdpReceiveQueues.Socket socket(String host, int port, boolean forNewCalls) {
        return new UdpReceiveQueues.Socket(new InetSocketAddress(host, port), 8192, forNewCalls);
    }

    /** A sampler of {@code sockets} that found them all in the fixture's files and took one sample. */
    private static UdpReceiveQueues sampledOnce(UdpReceiveQueues.Socket... sockets) throws IOException {
        UdpReceiveQueues queues = new UdpReceiveQueues(List.of(sockets), PROC, X86);
        assertThat(queues.resolve()).isTrue();
        queues.sample();
        return queues;
    }

    @Test
    void theSamplerFindsItsSocketsByAddressAndReadsTheirQueuesAgainstTheirBuffers() throws IOException {
        try (UdpReceiveQueues queues = sampledOnce(socket("127.0.0.1", 5061, false), socket("::1", 5060, false))) {
            assertThat(queues.fill()).isEqualTo(7680.0 / 8192);
            assertThat(queues.own().takePeakFillPercent()).isEqualTo(94);
            assertThat(queues.own().drops()).isEqualTo(34);
            assertThat(queues.drops()).isEqualTo(34);
            assertThat(queues.followsPortForNewCalls()).isFalse();
        }
    }

    @Test
    void aPortForNewCallsIsReportedApartFromTheRoutersOwnSockets() throws IOException {
        try (UdpReceiveQueues queues = sampledOnce(socket("::1", 5060, false), socket("127.0.0.1", 5061, true))) {
            assertThat(queues.followsPortForNewCalls()).isTrue();
            assertThat(queues.forNewCalls().takePeakFillPercent()).isEqualTo(94);
            assertThat(queues.forNewCalls().drops()).isEqualTo(34);
            assertThat(queues.own().takePeakFillPercent()).isZero();
            assertThat(queues.own().drops()).isZero();
            assertThat(queues.fill()).as("the metric: the fullest of all").isEqualTo(7680.0 / 8192);
        }
    }

    @Test
    void withoutReadableFilesTheSignalIsAbsentAndReadsAsEmpty(@TempDir Path emptyProc) throws IOException {
        UdpReceiveQueues queues = new UdpReceiveQueues(List.of(socket("127.0.0.1", 5061, false)), emptyProc, X86);
        try (queues) {
            assertThat(queues.resolve()).isFalse();
            queues.sample();
            assertThat(queues.sampling()).isFalse();
            assertThat(queues.own().takePeakFillPercent()).isZero();
            assertThat(queues.drops()).isZero();
        }
        assertThat(Objects.requireNonNull(emptyProc.toFile().list())).isEmpty();
    }

    @Test
    void aSocketWithNoLineIsNotFollowed() {
        UdpReceiveQueues queues = new UdpReceiveQueues(List.of(socket("127.0.0.1", 5999, false)), PROC, X86);
        try (queues) {
            assertThat(queues.resolve()).isFalse();
            assertThat(queues.sampling()).isFalse();
        }
    }
}
