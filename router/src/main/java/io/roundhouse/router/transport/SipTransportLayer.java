package io.roundhouse.router.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.roundhouse.router.flood.FloodGuard;
import io.roundhouse.router.transport.ws.WebSocketFramingException;
import io.roundhouse.router.transport.ws.WebSocketMetrics;
import io.roundhouse.router.transport.ws.WebSocketPipeline;
import io.roundhouse.router.transport.ws.WebSocketSettings;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * UDP, TCP, TLS and WebSocket sockets of the router, all on one event loop: binds the listen addresses, frames inbound
 * messages for the {@link InboundHandler}, and sends outbound messages, reusing the connection a peer opened (RFC 3261
 * §18) or opening one without blocking. A WebSocket peer (a browser, RFC 7118) is reached only over the connection it
 * opened: the router never connects to one.
 *
 * <p>With a door (a second event loop, one thread), the ports for new calls ({@link ListenPoint#portsForNewCalls}) are
 * read there instead: each datagram is first shown to {@link InboundHandler#atTheDoor}, which may answer a new INVITE
 * 503 on that thread, and the rest is copied and handed to the event loop in one task per read (docs/security.md, "A
 * port for new calls"). So a flood of new calls is read and answered as fast as it comes on a core beside the loop's,
 * and the loop spends its time on the calls it admitted.
 */
public final class SipTransportLayer implements MessageSender {

    private static final Logger log = LoggerFactory.getLogger(SipTransportLayer.class);
    private static final int BIND_ATTEMPTS = 20;
    /**
     * Datagrams read from a UDP socket per wake-up, before the loop turns to its other sockets and its timers: Netty's
     * own default for datagram channels. Each read is one batch whose answers leave in one sendmmsg(2) (see
     * {@link DatagramBatch}); 16 messages are well under a millisecond of work.
     */
    static final int DATAGRAMS_PER_READ = 16;
    /**
     * Datagrams read per wake-up from a port for new calls while the router's own socket is backlogged
     * ({@link #readAdmittedCallsFirst}): an admitted call brings about six datagrams to the router's own socket (the
     * node's 100, 180 and 200, the caller's ACK and BYE, the node's 200 to it) for its one INVITE here, so with 16
     * there against 2 here a saturated loop still reads the calls it admitted as fast as they come.
     */
    static final int NEW_CALL_DATAGRAMS_PER_READ = 2;

    private final EventLoop loop;
    /** The thread that reads the ports for new calls, or null: the event loop reads them. */
    private final Door door;
    private final NettyTransports netty;
    private final int maxMessageSize;
    private final InboundHandler inbound;
    private final FloodGuard flood;
    private final ConnectionLimits limits;
    private final TlsSettings tlsSettings;
    private final WebSocketSettings webSocket;
    private final WebSocketMetrics webSocketMetrics = new WebSocketMetrics();
    /** Replaced by {@link #reloadTls}; read by each new connection. */
    private volatile TlsContexts tls;
    private final HandshakeFailures handshakeFailures = new HandshakeFailures(System::nanoTime);
    private final List<ListenPoint> listenPoints = new ArrayList<>();
    /** Open TCP connections by remote address and alias: those peers opened and those the router opened. */
    private final ConnectionTable connections;
    /** Messages waiting for an outbound TCP connection being opened. */
    private final Map<InetSocketAddress, ArrayDeque<Pending>> connecting = new HashMap<>();
    private final DatagramBatch datagrams = new DatagramBatch();
    /** The receive buffers of the ports for new calls (set once bound). */
    private volatile DatagramReceiveBuffer[] newCallReceives = {};
    /** How many of the router's own UDP sockets are backlogged (event loop only). */
    private int ownBacklogged;
    /** How many of them have been backlogged for {@value Door#FULL_READS_BEHIND} reads in a row (event loop only). */
    private int ownBehind;

    private record Pending(ByteBuf message, Consumer<Throwable> onFailure) {
    }

    /** The flow of a WebSocket connection: its number in this process and its transport (WS or WSS). */
    private record Flow(long id, Transport transport) {
    }

    private static final io.netty.util.AttributeKey<Flow> FLOW = io.netty.util.AttributeKey.valueOf("roundhouse.flow");
    /**
     * Random per process, in front of every flow token: a token from before a restart never names a connection of
     * the new process (whose numbers start again at 1), even when routers share the route secret.
     */
    private final String flowEpoch = Long.toString(new java.security.SecureRandom().nextLong() >>> 1, 36);
    private long lastFlow;
    /** Open WebSocket connections by flow number (event loop only). */
    private final Map<Long, Channel> flows = new HashMap<>();

    /**
     * @param flood  counts every inbound message and connection per source before anything is parsed; messages
     *               from a blocked source are dropped, its connections closed
     * @param limits caps and deadlines of connections
     * @param tls    TLS of {@code tls:} and {@code wss:} listeners and of TLS connections the router opens, or null
     *               without TLS
     * @param webSocket origins and keep-alive of {@code ws:} and {@code wss:} listeners
     * @param door      the thread that reads the ports for new calls, or null to read them on {@code loop}
     * @param doorHold  how long a new call may wait at the door for the loop (half of T1)
     */
    public SipTransportLayer(EventLoop loop, EventLoop door, Duration doorHold, NettyTransports netty,
                             int maxMessageSize, FloodGuard flood, ConnectionLimits limits, TlsSettings tls,
                             WebSocketSettings webSocket, InboundHandler inbound) {
        this.loop = loop;
        this.door = door == null ? null : new Door(loop, door, inbound, datagrams, doorHold);
        this.webSocket = webSocket;
        this.netty = netty;
        this.maxMessageSize = maxMessageSize;
        this.flood = flood;
        this.limits = limits;
        this.connections = new ConnectionTable(limits);
        this.tlsSettings = tls;
        this.tls = tls == null ? null : TlsContexts.of(tls);
        this.inbound = inbound;
    }

    /**
     * Reads the certificate, key and CA bundle again from the same files (renewed certificates take effect without a
     * restart): new connections use them, open ones keep theirs. A file that no longer makes a usable context is
     * refused with a {@link io.roundhouse.shared.config.ConfigException} and the running context kept. No-op
     * without TLS.
     */
    public void reloadTls() {
        if (tlsSettings != null) {
            TlsSettings reread = tlsSettings.reread();
            tls = TlsContexts.of(reread);
            log.info("TLS certificate and key read again from {} and {}", reread.certificate(), reread.privateKey());
        }
    }

    /** Publishes the connection counts as meters. */
    public void bindTo(MeterRegistry registry) {
        connections.bindTo(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("sip.tls.handshakes.failed", handshakeFailures,
                HandshakeFailures::count).description("TLS handshakes that failed or timed out").register(registry);
        webSocketMetrics.bindTo(registry);
        if (door != null) {
            io.micrometer.core.instrument.FunctionCounter.builder("sip.door.dropped", door, Door::drops)
                    .description("datagrams of ports for new calls dropped at the door: what waited for the event"
                            + " loop was a full socket's worth").register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("sip.door.held.too.long", door, Door::heldTooLong)
                    .description("new calls answered 503 at the door because the event loop could not take them"
                            + " within half of T1").register(registry);
        }
    }

    /**
     * Binds every listen address, in order. Port 0 picks a free port; all transports of one host with port 0 then
     * share that port (a caller can reach UDP and TCP at the same address). Blocks: call before serving.
     */
    public List<ListenPoint> bind(List<ListenAddress> addresses) throws InterruptedException {
        long sweep = flood.sweepInterval().toNanos();
        // Lets silent blocked sources back in on time (and logs it) when no other message arrives.
        loop.scheduleAtFixedRate(flood::sweep, sweep, sweep, TimeUnit.NANOSECONDS);
        if (addresses.stream().anyMatch(a -> a.transport().reliable())
                && ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            limits.descriptorShortfall(os.getMaxFileDescriptorCount()).ifPresent(log::warn);
        }
        if (webSocket.anyOrigin() && addresses.stream().anyMatch(a -> a.transport().webSocket())) {
            log.warn("sip.websocket.allowed-origins is \"*\": a page of any web site may place calls through the"
                    + " WebSocket listeners; list the origins of your own pages to restrict them");
        }
        // The addresses that will be ports for new calls once bound, by the same rule as the bound ones.
        Set<ListenAddress> atTheDoor = door == null ? Set.of() : Set.copyOf(ListenAddress.portsForNewCalls(addresses));
        Map<String, ListenPoint> grouped = new HashMap<>();
        for (ListenAddress a : addresses) {
            // TLS and WebSocket are TCP sockets too: they cannot share a port with a TCP listener, so each port-0
            // listener of theirs gets its own port.
            if (a.port() != 0 || !sharesPort(a.transport())) {
                listenPoints.add(bindOne(a.transport(), new InetSocketAddress(a.host(), a.port()),
                        atTheDoor.contains(a)));
                continue;
            }
            String key = a.transport() + " " + a.host();
            if (!grouped.containsKey(key)) {
                // Pick a port free for every transport of this host that asks for port 0.
                List<Transport> wanted = addresses.stream().filter(x -> x.port() == 0 && x.host().equals(a.host())
                        && sharesPort(x.transport())).map(ListenAddress::transport).distinct().toList();
                boolean udpAtTheDoor = atTheDoor.contains(new ListenAddress(Transport.UDP, a.host(), 0));
                for (ListenPoint p : bindGroup(a.host(), wanted, udpAtTheDoor)) {
                    grouped.put(p.transport() + " " + a.host(), p);
                }
            }
            listenPoints.add(grouped.get(key));
        }
        readAdmittedCallsFirst();
        List<ListenPoint> forNewCalls = ListenPoint.portsForNewCalls(listenPoints);
        if (!forNewCalls.isEmpty()) {
            log.info("ports for new calls {} read by {}", forNewCalls.stream().map(ListenPoint::address).toList(),
                    door != null ? "a thread of their own (the door)"
                            : "the event loop (sip.overload.new-call-thread false, or one processor)");
        }
        return List.copyOf(listenPoints);
    }

    /**
     * A port for new calls ({@link ListenPoint#portsForNewCalls}) reads {@value #NEW_CALL_DATAGRAMS_PER_READ}
     * datagrams per wake-up while one of the router's own sockets is backlogged (its last read was a whole batch of
     * {@value #DATAGRAMS_PER_READ}), and {@value #DATAGRAMS_PER_READ} otherwise: a loop that cannot read everything
     * reads the calls it admitted first, and a flood of new INVITEs waits, or is dropped by the kernel at no cost to the
     * loop, in its own socket. Decided read by read, so that it holds from the first backlog on, before any guard
     * measures it, and costs nothing while the loop keeps up (reads of two at all times cost a recvmmsg(2) and a
     * sendmmsg(2) per two INVITEs, which lowered the bench's clean rate by a tenth).
     */
    private void readAdmittedCallsFirst() {
        List<DatagramReceiveBuffer> receives = new ArrayList<>();
        for (ListenPoint p : ListenPoint.portsForNewCalls(listenPoints)) {
            UdpHandler handler = p.channel().pipeline().get(UdpHandler.class);
            if (handler == null) {
                continue; // read by the door
            }
            handler.forNewCalls = true;
            receives.add(handler.receive);
        }
        newCallReceives = receives.toArray(new DatagramReceiveBuffer[0]);
    }

    /** Whether a count of whole reads went from under {@code n} to {@code n} or more, or back. */
    private static boolean crossed(int before, int after, int n) {
        return (before >= n) != (after >= n);
    }

    /** UDP and TCP may share a port number (RFC 3261 §18: a caller finds both at one address); the others may not. */
    private static boolean sharesPort(Transport transport) {
        return transport == Transport.UDP || transport == Transport.TCP;
    }

    private List<ListenPoint> bindGroup(String host, List<Transport> transports, boolean udpAtTheDoor)
            throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            List<ListenPoint> bound = new ArrayList<>();
            try {
                ListenPoint first = bindOne(transports.get(0), new InetSocketAddress(host, 0), udpAtTheDoor);
                bound.add(first);
                for (int i = 1; i < transports.size(); i++) {
                    bound.add(bindOne(transports.get(i), new InetSocketAddress(host, first.address().getPort()),
                            udpAtTheDoor));
                }
                return bound;
            } catch (BindFailure e) {
                for (ListenPoint p : bound) {
                    p.channel().close().sync();
                }
                if (attempt >= BIND_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** {@code atTheDoor}: a UDP port for new calls, read by the door (ignored for other transports). */
    private ListenPoint bindOne(Transport transport, InetSocketAddress address, boolean atTheDoor)
            throws InterruptedException {
        if (transport.secure() && tls == null) {
            throw new BindFailure(transport.lowerName() + ":" + address + ": no sip.tls certificate and key", null);
        }
        ChannelFuture f = transport == Transport.UDP ? bindUdp(address, atTheDoor) : bindStream(transport, address);
        f.await();
        if (!f.isSuccess()) {
            throw new BindFailure(transport.lowerName() + ":" + address + ": " + f.cause().getMessage(), f.cause());
        }
        Channel ch = f.channel();
        return new ListenPoint(transport, (InetSocketAddress) ch.localAddress(), ch);
    }

    private ChannelFuture bindUdp(InetSocketAddress address, boolean atTheDoor) {
        // One datagram is one message; its slot must hold the largest one accepted plus one byte, so that an
        // oversized datagram (cut to the slot by the kernel) is noticed. With epoll the buffer has a slot for each
        // datagram of a read and one recvmmsg(2) fills them all; NIO reads one datagram per call into one slot.
        int slot = maxMessageSize + 1;
        boolean recvmmsg = netty == NettyTransports.EPOLL;
        DatagramReceiveBuffer receive = new DatagramReceiveBuffer(slot, recvmmsg, DATAGRAMS_PER_READ);
        Bootstrap b = new Bootstrap()
                .group(atTheDoor ? door.thread() : loop)
                .channelFactory(netty.datagramChannel(address.getAddress() instanceof Inet6Address))
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .option(ChannelOption.SO_SNDBUF, 4 * 1024 * 1024)
                .option(ChannelOption.RCVBUF_ALLOCATOR, receive)
                .handler(atTheDoor ? new DoorHandler(receive) : new UdpHandler(receive));
        if (recvmmsg) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot);
        }
        return b.bind(address);
    }

    private ChannelFuture bindStream(Transport transport, InetSocketAddress address) {
        ServerBootstrap b = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(netty.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(acceptedInitializer(transport));
        return b.bind(address);
    }

    /**
     * A connection a peer opened: refused at once (closed before any handler runs) when its source is blocked for
     * flooding or a connection cap is reached, so that no client can take the descriptors others need.
     */
    private ChannelInitializer<SocketChannel> acceptedInitializer(Transport transport) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                InetSocketAddress remote = ch.remoteAddress();
                if (!flood.admit(remote) || connections.admit(remote) != null) {
                    ch.close();
                    return;
                }
                ch.closeFuture().addListener(f -> connections.released(remote));
                if (transport.secure()) {
                    SslHandler ssl = tls.server().newHandler(ch.alloc());
                    if (transport.webSocket()) {
                        // sip.tls.client-auth is for node links over tls:; a browser has no client certificate.
                        ssl.engine().setWantClientAuth(false);
                    }
                    ssl.setHandshakeTimeoutMillis(tlsSettings.handshakeTimeout().toMillis());
                    ch.pipeline().addLast(ssl);
                }
                // Idle counts everything read or written, WebSocket pings and pongs included: a browser that answers
                // pings keeps its connection, as a TCP client that sends CRLF keep-alives does (RFC 5626 §4.4.1).
                ch.pipeline().addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
                if (transport.webSocket()) {
                    WebSocketPipeline.addTo(ch.pipeline(), webSocket, maxMessageSize, limits.messageTimeout(),
                            webSocketMetrics);
                } else {
                    ch.pipeline().addLast(new SipStreamDecoder(maxMessageSize, limits.messageTimeout(), true));
                }
                ch.pipeline().addLast(new TcpHandler(transport));
            }
        };
    }

    /**
     * A connection the router opened: not counted against the caps, its first message is the router's own. Over TLS
     * the peer's certificate must chain to {@code sip.tls.ca-bundle} (or the JDK's trust store) and name the host
     * connected to (RFC 5922 §7.1, as HTTPS checks it).
     */
    private ChannelInitializer<SocketChannel> openedInitializer(Transport transport, InetSocketAddress address) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                if (transport == Transport.TLS) {
                    SslHandler ssl = tls.client().newHandler(ch.alloc(), address.getHostString(), address.getPort());
                    SSLParameters parameters = ssl.engine().getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.engine().setSSLParameters(parameters);
                    ssl.setHandshakeTimeoutMillis(tlsSettings.handshakeTimeout().toMillis());
                    ch.pipeline().addLast(ssl);
                }
                ch.pipeline().addLast(new IdleStateHandler(0, 0, limits.idleTimeout().toNanos(), TimeUnit.NANOSECONDS),
                        new SipStreamDecoder(maxMessageSize, limits.messageTimeout(), false), new TcpHandler(transport));
            }
        };
    }

    /**
     * How long the oldest datagram waiting at the door for the event loop has waited (0 without a door, or when none
     * waits): the loop's backlog of new calls, which the overload guard measures.
     */
    public long newCallsWaitingNanos() {
        return door == null ? 0 : door.oldestWaitNanos();
    }

    public List<ListenPoint> listenPoints() {
        return List.copyOf(listenPoints);
    }

    @Override
    public void send(ByteBuf message, Destination destination, Consumer<Throwable> onFailure) {
        if (destination.transport() == Transport.UDP) {
            Channel udp = destination.connection() != null ? destination.connection()
                    : udpChannelFor(destination.address());
            if (udp == null) {
                message.release();
                onFailure.accept(new IllegalStateException("no UDP listen address for " + destination));
                return;
            }
            datagrams.send(udp, new DatagramPacket(message, destination.address()))
                    .addListener(failureListener(onFailure));
            return;
        }
        Channel ch = destination.connection();
        if (ch == null || !ch.isActive()) {
            ch = connections.get(destination.address());
            if (ch != null && !carries(ch, destination.transport())) {
                ch = null; // a TCP connection does not carry what must go over TLS or WebSocket, nor the reverse
            }
        }
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(message).addListener(failureListener(onFailure));
            return;
        }
        if (destination.transport().webSocket()) {
            // RFC 7118 §5: a WebSocket client cannot be connected to (its Via names a .invalid host); its connection
            // is gone, and with it the flow (RFC 5626 §5.3).
            message.release();
            onFailure.accept(new FlowFailedException(destination));
            return;
        }
        if (destination.transport() == Transport.TLS && tls == null) {
            message.release();
            onFailure.accept(new IllegalStateException("no sip.tls configured for " + destination));
            return;
        }
        connect(message, destination, onFailure);
    }

    @Override
    public void alias(InetSocketAddress alias, Channel connection) {
        // A WebSocket client's Via sent-by is a made-up .invalid name (RFC 7118 §5): its port says nothing of where it
        // listens, and browsers behind one address would take each other's alias.
        if (connection.isActive() && !alias.equals(connection.remoteAddress()) && !connection.hasAttr(FLOW)) {
            connections.alias(alias, connection);
        }
    }

    @Override
    public String flowToken(Channel connection) {
        Flow flow = connection.hasAttr(FLOW) ? connection.attr(FLOW).get() : null;
        return flow == null ? null : flowEpoch + "-" + flow.id();
    }

    @Override
    public Destination flow(String token) {
        int dash = token.lastIndexOf('-');
        if (dash != flowEpoch.length() || !token.startsWith(flowEpoch)) {
            return null; // another process's (before a restart, or another router's): that connection is gone here
        }
        long id;
        try {
            id = Long.parseLong(token, dash + 1, token.length(), 10);
        } catch (NumberFormatException e) {
            return null;
        }
        Channel ch = flows.get(id);
        if (ch == null || !ch.isActive()) {
            return null;
        }
        return new Destination(ch.attr(FLOW).get().transport(), (InetSocketAddress) ch.remoteAddress(), ch);
    }

    /** Reports a failed send on the event loop, also when the channel is the door's. */
    private ChannelFutureListener failureListener(Consumer<Throwable> onFailure) {
        return f -> {
            if (!f.isSuccess()) {
                if (loop.inEventLoop()) {
                    onFailure.accept(f.cause());
                } else {
                    loop.execute(() -> onFailure.accept(f.cause()));
                }
            }
        };
    }

    /** True when the open connection {@code ch} speaks {@code transport}. */
    private static boolean carries(Channel ch, Transport transport) {
        boolean tls = ch.pipeline().get(SslHandler.class) != null;
        boolean ws = ch.hasAttr(FLOW);
        return tls == transport.secure() && ws == transport.webSocket();
    }

    private void connect(ByteBuf message, Destination destination, Consumer<Throwable> onFailure) {
        InetSocketAddress address = destination.address();
        ArrayDeque<Pending> queue = connecting.get(address);
        if (queue != null) {
            queue.add(new Pending(message, onFailure));
            return;
        }
        queue = new ArrayDeque<>();
        queue.add(new Pending(message, onFailure));
        connecting.put(address, queue);
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(netty.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(openedInitializer(destination.transport(), address));
        b.connect(address).addListener((ChannelFuture f) -> {
            ArrayDeque<Pending> waiting = connecting.remove(address);
            if (waiting == null) {
                return;
            }
            if (f.isSuccess()) {
                connections.put(address, f.channel());
                for (Pending p : waiting) {
                    f.channel().writeAndFlush(p.message()).addListener(failureListener(p.onFailure()));
                }
            } else {
                log.debug("TCP connect to {} failed: {}", address, f.cause().toString());
                for (Pending p : waiting) {
                    p.message().release();
                    p.onFailure().accept(f.cause());
                }
            }
        });
    }

    private Channel udpChannelFor(InetSocketAddress target) {
        ListenPoint own = ListenPoint.own(listenPoints, Transport.UDP, target.getAddress() instanceof Inet6Address);
        return own == null ? null : own.channel();
    }

    /** Closes every socket. */
    public void close() {
        for (ListenPoint p : listenPoints) {
            p.channel().close();
        }
        for (Channel c : connections.all()) {
            c.close();
        }
    }

    /** The end of a UDP socket's pipeline: releases its receive buffer with it; socket errors are not fatal. */
    private abstract static class DatagramHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        final DatagramReceiveBuffer receive;

        DatagramHandler(DatagramReceiveBuffer receive) {
            this.receive = receive;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            receive.release();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and the like surface here on a connected-less UDP socket: not fatal.
            log.debug("UDP socket error: {}", cause.toString());
        }
    }

    private final class UdpHandler extends DatagramHandler {
        /** A port for new calls, not one of the router's own sockets (set once bound). */
        private volatile boolean forNewCalls;
        private int readThisWakeUp;
        /** Reads in a row that were whole batches: 1 or more, backlogged; {@link Door#FULL_READS_BEHIND}, behind. */
        private int fullReadsInARow;

        UdpHandler(DatagramReceiveBuffer receive) {
            super(receive);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            datagrams.readBegan();
            readThisWakeUp++;
            if (!flood.admit(packet.sender())) {
                return;
            }
            ByteBuf content = packet.content();
            if (content.readableBytes() > maxMessageSize) {
                // The receive buffer holds maxMessageSize + 1 bytes: the datagram was cut, its head is here.
                inbound.onOversized(content, Transport.UDP, packet.sender(), ctx.channel());
                return;
            }
            inbound.onMessage(content, Transport.UDP, packet.sender(), ctx.channel());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            datagrams.readEnded();
            boolean full = readThisWakeUp >= DATAGRAMS_PER_READ;
            readThisWakeUp = 0;
            int before = fullReadsInARow;
            fullReadsInARow = full ? before + 1 : 0;
            if (forNewCalls) {
                return;
            }
            if (crossed(before, fullReadsInARow, 1)) {
                ownBacklogged += full ? 1 : -1;
                for (DatagramReceiveBuffer r : newCallReceives) {
                    r.datagramsPerRead(ownBacklogged > 0 ? NEW_CALL_DATAGRAMS_PER_READ : DATAGRAMS_PER_READ);
                }
            }
            if (door != null && crossed(before, fullReadsInARow, Door.FULL_READS_BEHIND)) {
                ownBehind += full ? 1 : -1;
                door.ownSocketsBacklogged(ownBehind > 0);
            }
        }
    }

    /** Reads a port for new calls on the door's thread: the flood guard first, then the {@link Door}. */
    private final class DoorHandler extends DatagramHandler {

        DoorHandler(DatagramReceiveBuffer receive) {
            super(receive);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            door.readBegan();
            if (flood.admit(packet.sender())) {
                ByteBuf content = packet.content();
                door.received(content, packet.sender(), ctx.channel(), content.readableBytes() > maxMessageSize);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            door.readEnded();
        }
    }

    /** The end of a stream connection's pipeline (TCP, or TLS after its SslHandler). */
    private final class TcpHandler extends ChannelInboundHandlerAdapter {
        private final Transport transport;

        TcpHandler(Transport transport) {
            this.transport = transport;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            if (remote != null) {
                connections.register(remote, ctx.channel());
            }
            if (transport.webSocket()) {
                long id = ++lastFlow;
                ctx.channel().attr(FLOW).set(new Flow(id, transport));
                flows.put(id, ctx.channel());
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The connection's own address and every alias of it: O(its names), not O(open connections).
            connections.remove(ctx.channel());
            if (transport.webSocket()) {
                flows.remove(ctx.channel().attr(FLOW).get().id());
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
            if (!flood.admit(remote)) {
                frame.release();
                ctx.close();
                return;
            }
            try {
                inbound.onMessage(frame, transport, remote, ctx.channel());
            } finally {
                frame.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
                InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
                if (remote != null) {
                    handshakeFailures.failed(remote.getAddress(), String.valueOf(done.cause().getMessage()));
                }
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable reason = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (reason instanceof SipStreamDecoder.SipFramingException || reason instanceof WebSocketFramingException) {
                inbound.onFramingError(transport, (InetSocketAddress) ctx.channel().remoteAddress(),
                        reason.getMessage());
            } else {
                // A failed TLS handshake is also reported as SslHandshakeCompletionEvent, counted and logged there.
                log.debug("{} connection {} error: {}", transport.viaName(), ctx.channel().remoteAddress(),
                        reason.toString());
            }
            ctx.close();
        }
    }

    /** A message for a WebSocket peer whose connection has closed: nothing else can reach it (RFC 7118 §5). */
    public static final class FlowFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FlowFailedException(Destination destination) {
            super("no open WebSocket connection for " + destination + " (the browser's flow is gone)", null, false,
                    false);
        }
    }

    /** A listen address could not be bound. */
    public static final class BindFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

}
