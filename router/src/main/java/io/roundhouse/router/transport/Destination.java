package io.roundhouse.router.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * Where a message goes: a transport and an address, and for a stream transport the connection to use when one is
 * known (a response goes back on the connection its request came on, RFC 3261 §18.2.2).
 *
 * @param transport  the transport
 * @param address    the remote address (resolved)
 * @param connection the connection to write to, or null to use (or open) one to {@code address}
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
