package io.roundhouse.router.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DatagramPacket;
import java.util.ArrayList;
import java.util.List;

/**
 * Datagrams sent while the event loop handles one read of a UDP socket (up to a few dozen inbound datagrams) are only
 * written, and flushed once when that read ends: Netty's epoll datagram channel then hands them to the kernel in one
 * sendmmsg(2) instead of one sendto(2) each. A datagram sent anywhere else (a timer, a task from another thread) is
 * flushed at once, so none waits for traffic that may never come. One per thread that reads sockets (the event loop,
 * the door).
 */
final class DatagramBatch {

    private boolean reading;
    /** Channels written to since the read began: usually the one being read, at most one per listen address. */
    private final List<Channel> unflushed = new ArrayList<>(2);

    /** A UDP socket's read began: what is sent until {@link #readEnded()} is flushed then. */
    void readBegan() {
        reading = true;
    }

    /** Sends {@code packet} on {@code udp}: now, or with the rest of the read when one is under way. */
    ChannelFuture send(Channel udp, DatagramPacket packet) {
        if (!reading) {
            return udp.writeAndFlush(packet);
        }
        if (!unflushed.contains(udp)) {
            unflushed.add(udp);
        }
        return udp.write(packet);
    }

    /** The read ended (Netty's channelReadComplete, which follows every read, even a failed one): flushes. */
    void readEnded() {
        reading = false;
        for (int i = 0; i < unflushed.size(); i++) {
            unflushed.get(i).flush();
        }
        unflushed.clear();
    }
}
