package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.Transport;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Next-hop resolution (RFC 3261 §18.1.1; the RFC 3263 SRV and NAPTR steps are not done): a SIP URI's transport
 * parameter, maddr or host, and port to a {@link Destination}. An IP literal resolves at once; a host name is looked up
 * on the resolver thread (bounded: when its queue is full the lookup fails with {@link #RESOLVER_FULL}) and the answer
 * comes back on the event loop, never blocking it.
 *
 * <p>{@code sips:} (RFC 5630): a {@code sips:} next hop goes over TLS, port 5061 by default; a request whose
 * Request-URI is {@code sips:} goes over TLS (or secure WebSocket) on every hop up to the UAS, whatever its next hop's
 * URI is (RFC 5630 removed RFC 3261's last-hop exception). A next hop that would need UDP, TCP or WS (a {@code sips:}
 * URI with {@code transport=udp}, a {@code sip:} Route or node reached over UDP or TCP) is never used: the failure
 * starts with {@link #SIPS_NOT_ALLOWED}, and the proxy answers 480 with warn-code 380 "SIPS Not Allowed"
 * ({@link #sipsNotAllowedWarning}).
 */
final class NextHops {

    static final String RESOLVER_FULL = "name resolver queue full";
    /** The start of every failure that refused to carry a {@code sips:} request over UDP or TCP. */
    static final String SIPS_NOT_ALLOWED = "sips: only over TLS";

    private final EventLoop loop;
    private final Executor resolver;
    private volatile boolean closed;

    NextHops(EventLoop loop, Executor resolver) {
        this.loop = loop;
        this.resolver = resolver;
    }

    /** Lookups still running when the router closes are not answered. */
    void close() {
        closed = true;
    }

    /**
     * Resolves a next-hop URI to a destination and continues on the event loop; host names are looked up off the
     * loop. {@code build} makes the message once the destination (and so the transport) is known.
     */
    void resolve(SipUri uri, java.util.function.Function<Destination, ByteBuf> build,
                 java.util.function.BiConsumer<ByteBuf, Destination> then, Consumer<String> failed) {
        resolve(uri, false, build, then, failed);
    }

    /**
     * As {@link #resolve(SipUri, java.util.function.Function, java.util.function.BiConsumer, Consumer)} for a request
     * whose Request-URI is {@code sips:} when {@code sips} is true: then only TLS will do, whatever {@code uri} says.
     */
    void resolve(SipUri uri, boolean sips, java.util.function.Function<Destination, ByteBuf> build,
                 java.util.function.BiConsumer<ByteBuf, Destination> then, Consumer<String> failed) {
        resolve(uri, sips, null, build, then, failed);
    }

    /**
     * As above, the datagram leaving from {@code leaveFrom} (a UDP listen point, or null for the router's own socket)
     * when the next hop is reached over UDP in that point's address family.
     */
    void resolve(SipUri uri, boolean sips, ListenPoint leaveFrom,
                 java.util.function.Function<Destination, ByteBuf> build,
                 java.util.function.BiConsumer<ByteBuf, Destination> then, Consumer<String> failed) {
        if (!uri.isSip()) {
            failed.accept("not a SIP URI: " + uri.text());
            return;
        }
        Transport t = transport(uri);
        if (t == null) {
            failed.accept("unsupported transport " + uri.transportParam());
            return;
        }
        if ((sips || isSips(uri)) && !t.secure()) {
            failed.accept(SIPS_NOT_ALLOWED + ": " + uri.text() + " is reached over " + t.viaName());
            return;
        }
        String maddr = uri.param("maddr");
        String host = maddr != null && !maddr.isEmpty() ? SipUri.stripBrackets(maddr) : uri.hostAddress();
        int port = uri.portOrDefault();
        resolveHost(host, address -> {
            Destination d = destination(t, new InetSocketAddress(address, port), leaveFrom);
            then.accept(build.apply(d), d);
        }, failed);
    }

    /**
     * A destination over {@code t}, leaving from {@code leaveFrom} (a UDP listen point, or null for the router's own
     * socket) when {@code t} is UDP and {@code to} is of that point's address family.
     */
    static Destination destination(Transport t, InetSocketAddress to, ListenPoint leaveFrom) {
        boolean fromThere = leaveFrom != null && t == Transport.UDP
                && (to.getAddress() instanceof Inet6Address) == leaveFrom.isV6();
        return new Destination(t, to, fromThere ? leaveFrom.channel() : null);
    }

    /**
     * The transport toward {@code uri}: its {@code transport} parameter, else TLS for a {@code sips:} URI (RFC 3261
     * §26.2.2) and UDP otherwise (§18.1.1); null for a transport the router does not speak.
     */
    private static Transport transport(SipUri uri) {
        String tp = uri.transportParam();
        if (tp == null) {
            return isSips(uri) ? Transport.TLS : Transport.UDP;
        }
        // RFC 5630 deprecates transport=tls: sips: with transport=tcp means TLS over TCP; sips: with transport=ws is
        // secure WebSocket (RFC 7118 §5).
        if (isSips(uri) && tp.equals("tcp")) {
            return Transport.TLS;
        }
        if (isSips(uri) && tp.equals("ws")) {
            return Transport.WSS;
        }
        return Transport.fromName(tp).orElse(null);
    }

    static boolean isSips(SipUri uri) {
        return uri.scheme().equals("sips");
    }

    /**
     * The Warning of the 480 that refuses a {@code sips:} request with no TLS way on: RFC 5630's warn-code 380 "SIPS
     * Not Allowed" (the target cannot be reached with SIPS, e.g. it registered no SIPS Contact), by {@code agent}.
     */
    static String sipsNotAllowedWarning(String agent) {
        return "Warning: 380 " + agent + " \"SIPS Not Allowed\"";
    }

    void resolveHost(String host, Consumer<InetAddress> then, Consumer<String> failed) {
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal != null) {
            try {
                then.accept(InetAddress.getByAddress(literal));
            } catch (UnknownHostException e) {
                failed.accept("bad address " + host);
            }
            return;
        }
        CompletableFuture<InetAddress> lookup;
        try {
            lookup = CompletableFuture.supplyAsync(() -> {
                try {
                    return InetAddress.getByName(host);
                } catch (UnknownHostException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, resolver);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            failed.accept(RESOLVER_FULL);
            return;
        }
        lookup.whenComplete((address, error) -> loop.execute(() -> {
            if (closed) {
                return;
            }
            if (error != null) {
                failed.accept("cannot resolve " + host);
            } else {
                then.accept(address);
            }
        }));
    }
}
