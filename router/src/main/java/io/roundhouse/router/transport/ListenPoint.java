package io.roundhouse.router.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * A bound listening socket.
 *
 * @param transport the transport
 * @param address   the bound address (the real port when 0 was asked for)
 * @param channel   the UDP channel or the TCP server channel
 */
public record ListenPoint(Transport transport, InetSocketAddress address, Channel channel) {
}
