package io.roundhouse.router.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.roundhouse.router.testing.ManualScheduler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The sampler against the real kernel: a loopback socket that nobody reads is sent datagrams until its queue passes
 * half its buffer, then until the kernel drops some; the sampler must see both, and the guard must shed on them and
 * stop once the socket is drained. Linux only (skipped where /proc/net/udp cannot be read). Every sending loop is
 * bounded in datagrams and in time.
 */
@Timeout(20)
class UdpReceiveQueuesKernelTest {

    /** Asked of the kernel, which doubles it: a few dozen queued datagrams fill it. */
    private static final int SMALL_RCVBUF = 32 * 1024;
    private static final int MAX_DATAGRAMS = 200_000;
    private static final long MAX_NANOS = Duration.ofSeconds(5).toNanos();
    private static final ByteBuffer PAYLOAD = ByteBuffer.wrap(new byte[200]);

    @BeforeEach
    void linux() {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "needs Linux's /proc/net/udp");
    }

    private static DatagramChannel receiver(ProtocolFamily family) throws IOException {
        DatagramChannel ch = DatagramChannel.open(family);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, SMALL_RCVBUF);
        ch.bind(new InetSocketAddress("127.0.0.1", 0));
        return ch;
    }

    private static UdpReceiveQueues sampler(DatagramChannel receiver) throws IOException {
        UdpReceiveQueues queues = new UdpReceiveQueues(List.of(new UdpReceiveQueues.Socket(
                (InetSocketAddress) receiver.getLocalAddress(), receiver.getOption(StandardSocketOptions.SO_RCVBUF), false)),
                Path.of("/proc"), ByteOrder.nativeOrder());
        assertThat(queues.resolve()).as("the socket is found in /proc/net/udp{,6} by its address").isTrue();
        return queues;
    }

    /** Sends datagrams to {@code to}, sampling every few, until {@code done} holds; bounded. */
    private static void sendUntil(DatagramChannel sender, InetSocketAddress to, UdpReceiveQueues queues,
                                  java.util.function.BooleanSupplier done) throws IOException {
        long deadline = System.nanoTime() + MAX_NANOS;
        for (int i = 0; i < MAX_DATAGRAMS && System.nanoTime() < deadline; i++) {
            sender.send(PAYLOAD.duplicate(), to);
            if (i % 4 == 3) {
                queues.sample();
                if (done.getAsBoolean()) {
                    return;
                }
            }
        }
    }

    private void seesTheQueueFillThenTheDrops(ProtocolFamily family) throws IOException {
        try (DatagramChannel receiver = receiver(family);
             DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET);
             UdpReceiveQueues queues = sampler(receiver)) {
            InetSocketAddress to = (InetSocketAddress) receiver.getLocalAddress();
            queues.sample();
            assertThat(queues.fill()).isZero();
            assertThat(queues.drops()).isZero();

            sendUntil(sender, to, queues, () -> queues.fill() >= 0.5);
            assertThat(queues.fill()).as("queued share of the receive buffer").isGreaterThanOrEqualTo(0.5);
            assertThat(queues.own().takePeakFillPercent()).isGreaterThanOrEqualTo(50);

            sendUntil(sender, to, queues, () -> queues.drops() > 0);
            assertThat(queues.drops()).as("datagrams the kernel dropped at the full socket").isPositive();
            assertThat(queues.fill()).isGreaterThan(0.5);
        }
    }

    @Test
    void anIpv4SocketAsTheRouterBindsIt() throws IOException {
        seesTheQueueFillThenTheDrops(StandardProtocolFamily.INET);
    }

    @Test
    void aDualStackSocketListedInUdp6WithItsMappedAddress() throws IOException {
        seesTheQueueFillThenTheDrops(StandardProtocolFamily.INET6);
    }

    @Test
    void startedItSamplesOnAThreadOfItsOwnUntilClosed() throws Exception {
        try (DatagramChannel receiver = receiver(StandardProtocolFamily.INET);
             DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            UdpReceiveQueues queues = new UdpReceiveQueues(List.of(new UdpReceiveQueues.Socket(
                    (InetSocketAddress) receiver.getLocalAddress(),
                    receiver.getOption(StandardSocketOptions.SO_RCVBUF), false)), Path.of("/proc"), ByteOrder.nativeOrder());
            try (queues) {
                queues.start(Duration.ofMillis(10));
                assertThat(queues.sampling()).isTrue();
                for (int i = 0; i < 10; i++) {
                    sender.send(PAYLOAD.duplicate(), receiver.getLocalAddress());
                }
                long deadline = System.nanoTime() + MAX_NANOS;
                while (queues.fill() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5); // the sampling thread, not a timer of the code under test
                }
                assertThat(queues.fill()).isPositive();
            }
            assertThat(queues.sampling()).isFalse();
            assertThat(queues.threadTerminated()).isTrue();
        }
    }

    @Test
    void aFullSocketTurnsSheddingOnAndTheDrainedSocketTurnsItOffAfterAWindow() throws IOException {
        ManualScheduler scheduler = new ManualScheduler();
        OverloadGuard guard = new OverloadGuard(OverloadSettings.DEFAULTS, scheduler::nanoTime, () -> 0, () -> 0L);
        try (DatagramChannel receiver = receiver(StandardProtocolFamily.INET);
             DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET);
             UdpReceiveQueues queues = sampler(receiver)) {
            guard.watch(queues.own());
            guard.watchLoopWait(RunQueueWait.ABSENT); // the test thread's own waits are not the point here
            guard.start(scheduler::schedule);
            queues.sample();
            scheduler.advance(Duration.ofSeconds(1)); // a first window, calm
            assertThat(guard.overloaded()).isFalse();

            sendUntil(sender, (InetSocketAddress) receiver.getLocalAddress(), queues, () -> queues.fill() >= 0.6);
            scheduler.advance(Duration.ofMillis(50));
            assertThat(guard.overloaded()).as("a socket over half full sheds at the next sample").isTrue();
            assertThat(guard.admittedShare()).isEqualTo(0.75);

            receiver.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(2048);
            for (int i = 0; i < MAX_DATAGRAMS && receiver.receive(in.clear()) != null; i++) {
                // drain
            }
            queues.sample();
            assertThat(queues.fill()).isZero();
            scheduler.advance(Duration.ofMillis(950)); // the full sample is still in the window
            assertThat(guard.overloaded()).isTrue();
            assertThat(guard.admittedShare()).isEqualTo(0.75);
            scheduler.advance(Duration.ofMillis(500)); // out of the window, then 10 calm samples to admit all again
            assertThat(guard.overloaded()).isFalse();
            assertThat(guard.admitsNewCall(0)).isTrue();
        } finally {
            guard.stop();
        }
    }
}
