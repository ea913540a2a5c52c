package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The door between a port for new calls and a busy event loop (docs/security.md, "A port for new calls"): the loop is
 * given two reads' worth at a time, the rest waits at the door in arrival order; while the guard sheds, a new call that
 * waited past the hold is answered there and never reaches the loop; while it does not, nothing is refused and all
 * of it reaches the loop once the loop is free. The loop is held busy by a task waiting on a latch.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class TheDoorHoldsNewCallsForABusyLoopTest {

    private static final Duration HOLD = Duration.ofMillis(20);
    private static final InetSocketAddress CALLER = new InetSocketAddress("127.0.0.1", 5070);

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final DefaultEventLoop doorThread = new DefaultEventLoop();
    private final Channel port = new EmbeddedChannel();
    private final Inbound inbound = new Inbound();
    private final Door door = new Door(loop, doorThread, inbound, new DatagramBatch(), HOLD);
    private final CountDownLatch loopFree = new CountDownLatch(1);

    @AfterEach
    void stop() {
        loopFree.countDown();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        doorThread.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void whileTheGuardShedsANewCallThatWaitedPastTheHoldIsAnsweredAtTheDoor() throws Exception {
        inbound.shedding = true;
        holdTheLoop();

        read("INVITE call-", Door.LOOP_BEHIND + 3);

        await(() -> inbound.heldTooLong.size() == 3);
        loopFree.countDown();
        await(() -> inbound.onTheLoop.size() == Door.LOOP_BEHIND);
        int first = Door.LOOP_BEHIND;
        assertThat(inbound.heldTooLong).containsExactly("INVITE call-" + first, "INVITE call-" + (first + 1),
                "INVITE call-" + (first + 2));
        assertThat(inbound.onTheLoop).doesNotContainAnyElementsOf(inbound.heldTooLong);
        assertThat(door.heldTooLong()).isEqualTo(3);
    }

    @Test
    void whileTheGuardDoesNotShedNothingIsRefusedAndAllReachesTheLoopOnceItIsFree() throws Exception {
        holdTheLoop();

        read("INVITE call-", Door.LOOP_BEHIND + 3);

        await(() -> door.oldestWaitNanos() > 5 * HOLD.toNanos()); // the guard's door-wait measure sees it
        assertThat(inbound.heldTooLong).isEmpty();
        loopFree.countDown();
        await(() -> inbound.onTheLoop.size() == Door.LOOP_BEHIND + 3);
        await(() -> door.oldestWaitNanos() == 0);
        assertThat(inbound.onTheLoop).startsWith("INVITE call-0", "INVITE call-1")
                .endsWith("INVITE call-" + (Door.LOOP_BEHIND + 2));
    }

    @Test
    void aCancelWaitingBehindItsInviteDoesNotOvertakeIt() throws Exception {
        holdTheLoop();
        read("INVITE call-", Door.LOOP_BEHIND);

        read("INVITE late", 1);
        read("CANCEL late", 1);
        Thread.sleep(5 * HOLD.toMillis()); // both past the hold; the loop still busy
        loopFree.countDown();

        await(() -> inbound.onTheLoop.size() == Door.LOOP_BEHIND + 2);
        assertThat(inbound.onTheLoop.subList(Door.LOOP_BEHIND, Door.LOOP_BEHIND + 2))
                .containsExactly("INVITE late0", "CANCEL late0");
    }

    @Test
    void aRetransmissionWaitingBehindItsCallIsNeverHandedOverOnceTheCallIsAnsweredAtTheDoor() throws Exception {
        inbound.shedding = true;
        holdTheLoop();
        read("INVITE call-", Door.LOOP_BEHIND);

        read("INVITE late", 1);
        read("AGAIN late", 1); // its caller sent it again while it waited
        await(() -> inbound.heldTooLong.contains("INVITE late0"));
        loopFree.countDown();

        await(() -> inbound.onTheLoop.size() == Door.LOOP_BEHIND);
        Thread.sleep(5 * HOLD.toMillis());
        assertThat(inbound.onTheLoop).hasSize(Door.LOOP_BEHIND).doesNotContain("AGAIN late0");
    }

    /** One read of the port: {@code count} datagrams named {@code prefix} and their number. */
    private void read(String prefix, int count) throws Exception {
        doorThread.submit(() -> {
            door.readBegan();
            for (int i = 0; i < count; i++) {
                ByteBuf datagram = Unpooled.copiedBuffer(prefix + i, StandardCharsets.US_ASCII);
                door.received(datagram, CALLER, port, false);
                datagram.release();
            }
            door.readEnded();
        }).get(5, TimeUnit.SECONDS);
    }

    private void holdTheLoop() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        loop.execute(() -> {
            running.countDown();
            try {
                loopFree.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 5 s").isLessThan(deadline);
            Thread.sleep(2);
        }
    }

    /** The proxy's side: INVITEs are new calls the guard admitted; what reaches the loop and the door, by name. */
    private static final class Inbound implements InboundHandler {
        volatile boolean shedding;
        final List<String> onTheLoop = new CopyOnWriteArrayList<>();
        final List<String> heldTooLong = new CopyOnWriteArrayList<>();

        /** "AGAIN x" is a retransmission of "INVITE x": answered once that call was answered at the door. */
        @Override
        public AtTheDoor atTheDoor(ByteBuf datagram, InetSocketAddress source, Channel port, MessageSender sender) {
            String text = text(datagram);
            if (text.startsWith("AGAIN ")) {
                return heldTooLong.contains("INVITE " + text.substring(6)) ? AtTheDoor.DONE : AtTheDoor.AGAIN;
            }
            return text.startsWith("INVITE") ? AtTheDoor.ADMITTED : AtTheDoor.PASSED;
        }

        @Override
        public boolean shedding() {
            return shedding;
        }

        @Override
        public void heldTooLong(ByteBuf datagram, InetSocketAddress source, Channel port, MessageSender sender) {
            heldTooLong.add(text(datagram));
        }

        @Override
        public void onAdmittedCall(ByteBuf datagram, InetSocketAddress source, Channel port) {
            onTheLoop.add(text(datagram));
        }

        @Override
        public void onMessage(ByteBuf frame, Transport transport, InetSocketAddress source, Channel connection) {
            onTheLoop.add(text(frame));
        }

        @Override
        public void onFramingError(Transport transport, InetSocketAddress source, String reason) {
        }

        private static String text(ByteBuf b) {
            return b.toString(StandardCharsets.US_ASCII);
        }
    }
}
