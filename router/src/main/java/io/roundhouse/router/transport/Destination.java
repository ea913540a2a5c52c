package io.roundhouse.router.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Where a message goes: a transport and an address, and the channel to use when one is known: for a stream transport
 * the connection its request came on (RFC 3261 §18.2.2), over UDP the listening socket it came in on (RFC 3581 §4: a
 * response leaves from the address and port its request was sent to).
 *
 * @param transport  the transport
 * @param address    the remote address (resolved)
 * @param connection the connection or UDP socket to write to, or null: a stream to {@code address} is used (or
 *                   opened), a datagram leaves from the first UDP listen point of its address family
 */
public record Destination(Transport transport, InetSocketAddress address, Channel connection) {

    public static Destination of(Transport transport, InetSocketAddress address) {
        return new Destination(transport, address, null);
    }

    @Override
    public String toString() {
        return transport.lowerName() + ":" + address.getHostString() + ":" + address.getPort();
    }
}
