package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.NetUtil;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.Transport;
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
 */
final class NextHops {

    static final String RESOLVER_FULL = "name resolver queue full";

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
        if (!uri.isSip()) {
            failed.accept("not a SIP URI: " + uri.text());
            return;
        }
        if (uri.scheme().equals("sips")) {
            failed.accept("sips: needs TLS, which this router does not offer yet");
            return;
        }
        String tp = uri.transportParam();
        Transport t = tp == null ? Transport.UDP : Transport.fromName(tp).orElse(null);
        if (t == null) {
            failed.accept("unsupported transport " + tp);
            return;
        }
        String maddr = uri.param("maddr");
        String host = maddr != null && !maddr.isEmpty() ? SipUri.stripBrackets(maddr) : uri.hostAddress();
        int port = uri.portOrDefault();
        resolveHost(host, address -> {
            Destination d = Destination.of(t, new InetSocketAddress(address, port));
            then.accept(build.apply(d), d);
        }, failed);
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
