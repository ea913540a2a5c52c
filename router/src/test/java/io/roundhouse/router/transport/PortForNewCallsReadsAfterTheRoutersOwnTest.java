package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.roundhouse.router.flood.FloodGuard;
import io.roundhouse.router.flood.FloodSettings;
import io.roundhouse.router.transport.ws.WebSocketSettings;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A port for new calls (docs/security.md): of the UDP sockets of one address family, the first is the router's own
 * (every Via and Record-Route it writes names it, so the calls it admitted come back there), the others receive only
 * what callers start; while its own socket is backlogged the loop reads it first: 16 datagrams per wake-up there,
 * 2 on a port for new calls.
 */
@Timeout(10)
class PortForNewCallsReadsAfterTheRoutersOwnTest {

    private final NettyTransports netty = NettyTransports.best();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, netty.ioHandlerFactory());
    private final EventLoop loop = group.next();
    /** The socket each datagram was read from, in the order read (event loop only until all are in). */
    private final List<Channel> readFrom = new CopyOnWriteArrayList<>();
    private final SipTransportLayer transport = new SipTransportLayer(loop, null, null, netty, 65536,
            new FloodGuard(new FloodSettings(false, null, null, null, null, null), a -> true, System::nanoTime),
            ConnectionLimits.DEFAULTS, null, WebSocketSettings.DEFAULTS, new InboundHandler() {
                @Override
                public void onMessage(ByteBuf frame, Transport t, InetSocketAddress source, Channel connection) {
                    readFrom.add(connection);
                }

                @Override
                public void onFramingError(Transport t, InetSocketAddress source, String reason) {
                }
            });

    @AfterEach
    void stop() throws InterruptedException {
        transport.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    private static int datagramsPerRead(ListenPoint p) {
        return ((DatagramReceiveBuffer) p.channel().config().getRecvByteBufAllocator()).maxMessagesPerRead();
    }

    @Test
    void everyUdpSocketButTheFirstOfItsFamilyIsAPortForNewCalls() {
        ListenPoint own4 = new ListenPoint(Transport.UDP, new InetSocketAddress("127.0.0.1", 5062), null);
        ListenPoint tcp = new ListenPoint(Transport.TCP, new InetSocketAddress("127.0.0.1", 5060), null);
        ListenPoint own6 = new ListenPoint(Transport.UDP, new InetSocketAddress("::1", 5062), null);
        ListenPoint callers4 = new ListenPoint(Transport.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
        ListenPoint callers6 = new ListenPoint(Transport.UDP, new InetSocketAddress("::1", 5060), null);

        assertThat(ListenPoint.portsForNewCalls(List.of(own4, tcp, own6, callers4, callers6)))
                .containsExactly(callers4, callers6);
        assertThat(ListenPoint.portsForNewCalls(List.of(own4, tcp, own6))).as("one socket a family: none").isEmpty();
    }

    @Test
    void theRoutersOwnSocketIsTheFirstOfItsTransportAndFamilyElseOneOfAnotherFamily() {
        ListenPoint tcp = new ListenPoint(Transport.TCP, new InetSocketAddress("127.0.0.1", 5060), null);
        ListenPoint own4 = new ListenPoint(Transport.UDP, new InetSocketAddress("127.0.0.1", 5062), null);
        ListenPoint callers4 = new ListenPoint(Transport.UDP, new InetSocketAddress("127.0.0.1", 5060), null);
        List<ListenPoint> points = List.of(tcp, own4, callers4);

        assertThat(ListenPoint.own(points, Transport.UDP, false)).isSameAs(own4);
        assertThat(ListenPoint.own(points, Transport.UDP, true)).as("no IPv6 socket: the IPv4 one").isSameAs(own4);
        assertThat(ListenPoint.own(points, Transport.TLS, false)).isNull();
    }

    /** Holds the loop while {@code n} datagrams are sent to each of {@code sockets}, then lets it read them all. */
    private void sendWhileTheLoopWaits(int n, ListenPoint... sockets) throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                sent.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        byte[] datagram = "OPTIONS".getBytes(StandardCharsets.US_ASCII);
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (ListenPoint to : sockets) {
                for (int i = 0; i < n; i++) {
                    sender.send(new DatagramPacket(datagram, datagram.length, to.address()));
                }
            }
        }
        sent.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (readFrom.size() < n * sockets.length && System.nanoTime() < deadline) {
            Thread.sleep(5); // the loop's reads, not a timer of the code under test
        }
        assertThat(readFrom).hasSize(n * sockets.length);
    }

    @Test
    void whileItsOwnSocketIsBackloggedTheLoopReadsItFirstAndThePortForNewCallsTwoAtATime() throws Exception {
        List<ListenPoint> points = transport.bind(List.of(ListenAddress.parse("udp:127.0.0.1:0"),
                ListenAddress.parse("udp:127.0.0.2:0")));
        Channel own = points.get(0).channel();

        sendWhileTheLoopWaits(70, points.get(0), points.get(1));

        int lastOwn = readFrom.lastIndexOf(own);
        long newCallsBefore = readFrom.subList(0, lastOwn).stream().filter(c -> c != own).count();
        // Own: 4 reads of 16, one of 6. New calls: at most one whole read before the backlog is seen, then 2 per
        // wake-up (reading both in turn, batch for batch, would have read 64 of them by then).
        assertThat(newCallsBefore).as("new calls read before the last admitted-call datagram")
                .isLessThanOrEqualTo(SipTransportLayer.DATAGRAMS_PER_READ
                        + 5L * SipTransportLayer.NEW_CALL_DATAGRAMS_PER_READ);
        assertThat(datagramsPerRead(points.get(1))).as("the backlog gone, whole reads again")
                .isEqualTo(SipTransportLayer.DATAGRAMS_PER_READ);
    }

    @Test
    void whileItsOwnSocketKeepsUpThePortForNewCallsReadsWholeBatches() throws Exception {
        List<ListenPoint> points = transport.bind(List.of(ListenAddress.parse("udp:127.0.0.1:0"),
                ListenAddress.parse("udp:127.0.0.2:0")));

        sendWhileTheLoopWaits(70, points.get(1));

        assertThat(datagramsPerRead(points.get(1))).isEqualTo(SipTransportLayer.DATAGRAMS_PER_READ);
    }
}
