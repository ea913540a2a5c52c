package io.roundhouse.router.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The door: a thread of its own that reads the ports for new calls (docs/security.md, "A port for new calls") and hands
 * the event loop only what the loop has time for. Each datagram is first shown to {@link InboundHandler#atTheDoor},
 * which answers a new INVITE the overload guard sheds 503 at once, on this thread. The rest waits here, in arrival
 * order, while the loop is behind: while it has not yet handled {@value #LOOP_BEHIND} datagrams handed to it, or while
 * one of the router's own sockets is backlogged (its last {@value #FULL_READS_BEHIND} reads were whole batches). How
 * long the oldest has waited is one of the guard's measures ({@link #oldestWaitNanos}). While the guard sheds, a new
 * call that waited here longer than the hold (half of T1) is answered 503 here too: the loop could not take it before
 * the caller's first retransmission (RFC 3261 §17.1.1.2). So at twice the clean rate an INVITE is answered before it
 * is sent again, and the loop completes what it admitted instead of reading a flood; while the guard does not shed, a
 * new call waits here as it would in a socket (a burst, a pause of the loop), and is refused nothing.
 *
 * <p>Door thread, but for {@link #ownSocketsBacklogged} and the hand-over task, which run on the event loop.
 */
final class Door {

    /**
     * Datagrams handed to the loop and not yet handled at which the loop counts as behind: eight reads' worth of a
     * socket ({@link SipTransportLayer#DATAGRAMS_PER_READ}), a few milliseconds of the loop's work. Fewer limited the
     * clean rate: a loop under a CPU quota pauses for milliseconds at a time, and the door must have handed it enough
     * to go on with when it runs again.
     */
    static final int LOOP_BEHIND = 128;
    /**
     * Whole reads in a row at which one of the router's own sockets counts as backlogged: one whole read is a burst
     * (and the first read after any pause of the loop), four is a backlog of at least 64 datagrams.
     */
    static final int FULL_READS_BEHIND = 4;
    /**
     * Bytes waiting here or handed over and not yet handled: the receive buffer the kernel gives each UDP socket here
     * (SO_RCVBUF), so that the door holds at most what a full socket would; beyond it a datagram is dropped and
     * counted, as the kernel drops one at a full socket.
     */
    static final int MAX_WAITING_BYTES = 4 * 1024 * 1024;

    /** While the head waits past the hold and the guard does not shed: how often the door looks again. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final EventLoop loop;
    private final EventLoop door;
    private final InboundHandler inbound;
    private final DatagramBatch loopDatagrams;
    private final DatagramBatch doorDatagrams = new DatagramBatch();
    private final MessageSender doorSender = (message, destination, onFailure) ->
            doorDatagrams.send(destination.connection(), new DatagramPacket(message, destination.address()));
    private final long holdNanos;
    /** Read and not yet handed over, oldest first (door thread). */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private ScheduledFuture<?> deadline;
    private final AtomicInteger handedOver = new AtomicInteger();
    private final AtomicLong waitingBytes = new AtomicLong();
    /** Written by the loop. */
    private volatile boolean ownSocketsBacklogged;
    /** Something waits at the door: the loop then tells it when it catches up. */
    private volatile boolean holding;
    /** When the oldest datagram waiting was read ({@link System#nanoTime}); meaningless while nothing is held. */
    private volatile long holdingSince;
    private final AtomicBoolean called = new AtomicBoolean();
    private final LongAdder drops = new LongAdder();
    private final LongAdder heldTooLong = new LongAdder();

    /** A datagram read by the door: a copy, released once the loop handled it or the door answered it. */
    private record Waiting(ByteBuf datagram, int size, InetSocketAddress source, Channel port, AtTheDoor verdict,
                           boolean oversized, long readAt) {
    }

    /**
     * @param loopDatagrams the event loop's batch of sends, which the hand-over flushes as one read
     * @param hold          how long a new call may wait for the loop (half of T1)
     */
    Door(EventLoop loop, EventLoop door, InboundHandler inbound, DatagramBatch loopDatagrams, Duration hold) {
        this.loop = loop;
        this.door = door;
        this.inbound = inbound;
        this.loopDatagrams = loopDatagrams;
        this.holdNanos = hold.toNanos();
    }

    /** The door's thread, on which the ports for new calls are registered. */
    EventLoop thread() {
        return door;
    }

    /** A read of a port for new calls begins (door thread): the 503s sent until {@link #readEnded} leave together. */
    void readBegan() {
        doorDatagrams.readBegan();
    }

    /** One datagram of that read (door thread; {@code content} is the receive buffer's, copied if kept). */
    void received(ByteBuf content, InetSocketAddress source, Channel port, boolean oversized) {
        AtTheDoor verdict = oversized ? AtTheDoor.PASSED : inbound.atTheDoor(content, source, port, doorSender);
        if (verdict == AtTheDoor.DONE) {
            return;
        }
        int size = content.readableBytes();
        if (waitingBytes.addAndGet(size) > MAX_WAITING_BYTES) {
            waitingBytes.addAndGet(-size);
            drops.increment();
            return;
        }
        ByteBuf copy = port.alloc().directBuffer(size).writeBytes(content, content.readerIndex(), size);
        waiting.add(new Waiting(copy, size, source, port, verdict, oversized, System.nanoTime()));
    }

    /** The read ended (door thread): hands over what the loop has time for, then sends the read's 503s. */
    void readEnded() {
        handOver();
        doorDatagrams.readEnded();
    }

    /** The loop's own sockets are backlogged, or no longer (event loop, on each change). */
    void ownSocketsBacklogged(boolean backlogged) {
        ownSocketsBacklogged = backlogged;
        if (!backlogged) {
            callTheDoor();
        }
    }

    /** Datagrams the door dropped because what waited for the loop reached a full socket's worth. */
    long drops() {
        return drops.sum();
    }

    /** New calls answered 503 because they waited for the loop longer than the hold. */
    long heldTooLong() {
        return heldTooLong.sum();
    }

    /** How long the oldest datagram waiting here has waited, 0 when none waits (any thread). */
    long oldestWaitNanos() {
        return holding ? Math.max(0, System.nanoTime() - holdingSince) : 0;
    }

    /** With {@code handed} datagrams handed over and not yet handled. */
    private boolean loopBehind(int handed) {
        return ownSocketsBacklogged || handed >= LOOP_BEHIND;
    }

    /**
     * From the oldest: a new call that waited longer than the hold is answered 503 if the guard sheds; anything goes to
     * the loop unless the loop is behind (what is not a new call goes once its hold is over, behind or not: CANCELs and
     * ACKs cost the loop little and must not overtake nor wait for ever).
     */
    private void handOver() {
        long now = System.nanoTime();
        List<Waiting> handed = null;
        int handedNotHandled = handedOver.get();
        while (!waiting.isEmpty()) {
            Waiting w = waiting.peek();
            boolean expired = now - w.readAt() > holdNanos;
            boolean newCall = w.verdict() == AtTheDoor.ADMITTED;
            if (expired && newCall && inbound.shedding()) {
                waiting.poll();
                heldTooLong.increment();
                try {
                    inbound.heldTooLong(w.datagram(), w.source(), w.port(), doorSender);
                } finally {
                    release(w);
                }
                continue;
            }
            if ((!expired || newCall) && loopBehind(handedNotHandled)) {
                break;
            }
            waiting.poll();
            if (w.verdict() == AtTheDoor.AGAIN
                    && inbound.atTheDoor(w.datagram(), w.source(), w.port(), doorSender) == AtTheDoor.DONE) {
                release(w); // its call was answered 503 here while both waited: so is it
                continue;
            }
            if (handed == null) {
                handed = new ArrayList<>();
            }
            handed.add(w);
            handedNotHandled++;
        }
        if (handed != null) {
            handedOver.addAndGet(handed.size());
            List<Waiting> batch = handed;
            loop.execute(() -> handle(batch));
        }
        if (!waiting.isEmpty()) {
            holdingSince = waiting.peek().readAt();
        }
        holding = !waiting.isEmpty();
        if (holding && deadline == null) {
            long due = waiting.peek().readAt() + holdNanos - now;
            deadline = door.schedule(this::deadlineReached, due > 0 ? due + 1 : RECHECK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void deadlineReached() {
        deadline = null;
        handOverNow();
    }

    /** Event loop: the door has something waiting and the loop caught up: one task at a time. */
    private void callTheDoor() {
        if (holding && !loopBehind(handedOver.get()) && called.compareAndSet(false, true)) {
            door.execute(() -> {
                called.set(false);
                handOverNow();
            });
        }
    }

    /** Door thread, outside a read: hands over as at the end of one, its 503s sent together. */
    private void handOverNow() {
        doorDatagrams.readBegan();
        readEnded();
    }

    /** On the event loop: the datagrams of one hand-over, as if the loop had read them from their port. */
    private void handle(List<Waiting> batch) {
        loopDatagrams.readBegan();
        for (Waiting w : batch) {
            try {
                if (w.oversized()) {
                    inbound.onOversized(w.datagram(), Transport.UDP, w.source(), w.port());
                } else if (w.verdict() == AtTheDoor.ADMITTED) {
                    inbound.onAdmittedCall(w.datagram(), w.source(), w.port());
                } else {
                    inbound.onMessage(w.datagram(), Transport.UDP, w.source(), w.port());
                }
            } finally {
                release(w);
            }
        }
        loopDatagrams.readEnded();
        handedOver.addAndGet(-batch.size());
        callTheDoor();
    }

    private void release(Waiting w) {
        waitingBytes.addAndGet(-w.size());
        w.datagram().release();
    }
}
