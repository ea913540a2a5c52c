package io.roundhouse.router.transport;

import io.netty.channel.Channel;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A bound listening socket.
 *
 * @param transport the transport
 * @param address   the bound address (the real port when 0 was asked for)
 * @param channel   the UDP channel or the TCP server channel
 */
public record ListenPoint(Transport transport, InetSocketAddress address, Channel channel) {

    /**
     * The UDP sockets among {@code points} that are ports for new calls (docs/security.md, "A port for new calls"):
     * every one but the first of its address family. That first one is the router's own, named in every Via and
     * Record-Route it writes and the one it sends from, so the datagrams of the calls it admitted arrive there; the
     * others receive only what callers start on them.
     */
    public static List<ListenPoint> portsForNewCalls(List<ListenPoint> points) {
        Set<Boolean> ownSeen = new HashSet<>();
        List<ListenPoint> forNewCalls = new ArrayList<>();
        for (ListenPoint p : points) {
            if (p.transport() == Transport.UDP && !ownSeen.add(p.address().getAddress() instanceof Inet6Address)) {
                forNewCalls.add(p);
            }
        }
        return forNewCalls;
    }
}
