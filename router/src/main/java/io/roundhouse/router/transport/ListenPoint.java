package io.roundhouse.router.transport;

import io.netty.channel.Channel;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A bound listening socket.
 *
 * @param transport the transport
 * @param address   the bound address (the real port when 0 was asked for)
 * @param channel   the UDP channel or the TCP server channel
 */
public record ListenPoint(Transport transport, InetSocketAddress address, Channel channel) {

    /**
     * The router's own socket of {@code transport} towards an address of that family ({@code v6}): the first such one
     * among {@code points}, named in every Via and Record-Route the router writes and the one it sends from; else the
     * first of that transport in another family; null when there is none of that transport.
     */
    public static ListenPoint own(List<ListenPoint> points, Transport transport, boolean v6) {
        ListenPoint otherFamily = null;
        for (ListenPoint p : points) {
            if (p.transport() == transport) {
                if (p.isV6() == v6) {
                    return p;
                }
                if (otherFamily == null) {
                    otherFamily = p;
                }
            }
        }
        return otherFamily;
    }

    /**
     * The UDP sockets among {@code points} that are ports for new calls (docs/security.md, "A port for new calls"):
     * every one but the router's own of its address family ({@link #own}), since the datagrams of the calls it
     * admitted arrive there; the others receive only what callers start on them.
     */
    public static List<ListenPoint> portsForNewCalls(List<ListenPoint> points) {
        return portsForNewCalls(points, ListenPoint::transport, ListenPoint::isV6);
    }

    /**
     * The rule of {@link #portsForNewCalls(List)} over anything with a transport and a family (listen addresses before
     * they are bound, too): every UDP one but the first of its family, which {@link #own} names.
     */
    static <T> List<T> portsForNewCalls(List<T> all, Function<T, Transport> transport, Predicate<T> v6) {
        List<T> forNewCalls = new ArrayList<>();
        Set<Boolean> familiesSeen = new HashSet<>();
        for (T t : all) {
            if (transport.apply(t) == Transport.UDP && !familiesSeen.add(v6.test(t))) {
                forNewCalls.add(t);
            }
        }
        return forNewCalls;
    }

    /** Whether it is bound to an IPv6 address. */
    public boolean isV6() {
        return address.getAddress() instanceof Inet6Address;
    }
}
