package io.roundhouse.router.proxy;

import io.netty.channel.Channel;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;

/**
 * Where a request came from and where its responses go.
 *
 * @param transport           the transport it arrived over
 * @param source              the packet's source address
 * @param connection          the TCP connection or UDP channel it arrived on
 * @param topVia              its top Via value with received/rport set (§18.2.1, RFC 3581)
 * @param responseDestination where responses are sent (§18.2.2)
 */
record Inbound(Transport transport, InetSocketAddress source, Channel connection, String topVia,
               Destination responseDestination) {
}
