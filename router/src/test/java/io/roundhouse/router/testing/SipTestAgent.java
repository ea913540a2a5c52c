package io.roundhouse.router.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.ValueRange;
import io.roundhouse.router.transport.SipStreamDecoder;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A small SIP user agent for tests, over Netty, listening on UDP and TCP at one loopback port. It sends raw messages,
 * records everything it receives, and can act as a UAS backend that answers by a {@link UasBehavior} (ring and
 * answer, reject with 503, stay silent, ...). Reusable by every router test.
 *
 * <pre>
 * try (SipTestAgent caller = SipTestAgent.start(); SipTestAgent node = SipTestAgent.start()) {
 *     node.uas(UasBehavior.answer());
 *     caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(), routerAddress, UDP);
 *     Received ok = caller.awaitResponse(200, Duration.ofSeconds(5));
 * }
 * </pre>
 */
public final class SipTestAgent implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel udp;
    private final Channel tcpServer;
    private final InetSocketAddress address;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<InetSocketAddress, Channel> connections = new ConcurrentHashMap<>();
    private final Map<String, Pending> pendingInvites = new ConcurrentHashMap<>();
    private final AtomicInteger invitesAnswered = new AtomicInteger();
    private volatile UasBehavior behavior;
    private int consumed;

    private record Pending(String inviteText, Channel channel, InetSocketAddress source, Transport transport,
                           String toTag) {
    }

    private SipTestAgent(EventLoopGroup group, Channel udp, Channel tcpServer) {
        this.group = group;
        this.udp = udp;
        this.tcpServer = tcpServer;
        this.address = (InetSocketAddress) udp.localAddress();
    }

    /** An agent on 127.0.0.1, UDP and TCP on one free port. */
    public static SipTestAgent start() {
        return start("127.0.0.1");
    }

    /** An agent on {@code host} (an IP literal), UDP and TCP on one free port. */
    public static SipTestAgent start(String host) {
        return start(host, 0);
    }

    /**
     * An agent on {@code host} (an IP literal), UDP and TCP on {@code port}, or on one free port when 0: a fixed port
     * receives what the router answers to a Via without rport (e.g. 5060 on a loopback address of its own).
     */
    public static SipTestAgent start(String host, int port) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        SipTestAgent[] self = new SipTestAgent[1];
        for (int attempt = 0; attempt < (port == 0 ? 20 : 1); attempt++) {
            Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536))
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                            self[0].onMessage(p.content().toString(StandardCharsets.UTF_8), p.sender(), Transport.UDP,
                                    ctx.channel());
                        }
                    }).bind(host, port).syncUninterruptibly().channel();
            int bound = ((InetSocketAddress) udp.localAddress()).getPort();
            ChannelFuture tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            self[0].initStream(ch);
                        }
                    }).bind(host, bound).awaitUninterruptibly();
            if (tcp.isSuccess()) {
                self[0] = new SipTestAgent(group, udp, tcp.channel());
                return self[0];
            }
            udp.close().syncUninterruptibly();
        }
        group.shutdownGracefully();
        throw new IllegalStateException("no free port for UDP and TCP together on " + host);
    }

    private void initStream(SocketChannel ch) {
        ch.pipeline().addLast(new SipStreamDecoder(65536), new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                connections.put((InetSocketAddress) ctx.channel().remoteAddress(), ctx.channel());
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                onMessage(msg.toString(StandardCharsets.UTF_8), (InetSocketAddress) ctx.channel().remoteAddress(),
                        Transport.TCP, ctx.channel());
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // A peer (the router) closing or resetting the connection is part of what tests exercise.
                ctx.close();
            }
        });
    }

    /** Acts as a UAS with this behavior from now on. */
    public SipTestAgent uas(UasBehavior uasBehavior) {
        this.behavior = uasBehavior;
        return this;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    public String host() {
        return io.netty.util.NetUtil.toAddressString(address.getAddress());
    }

    /** {@code host:port}, IPv6 in brackets. */
    public String hostPort() {
        String h = host();
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port();
    }

    /** The agent's URI, e.g. {@code sip:127.0.0.1:5099} (with {@code ;transport=tcp} for TCP). */
    public String uri(Transport transport) {
        return "sip:" + hostPort() + (transport == Transport.TCP ? ";transport=tcp" : "");
    }

    /** INVITEs answered with a final response so far (as UAS). */
    public int invitesAnswered() {
        return invitesAnswered.get();
    }

    // ---- sending ---------------------------------------------------------------------------------------------------

    /** Sends a message (CRLF line ends expected; see {@link #crlf}) to {@code to}. */
    public void send(String message, InetSocketAddress to, Transport transport) {
        sendBytes(message.getBytes(StandardCharsets.UTF_8), to, transport);
    }

    /** Sends raw bytes: one datagram over UDP, or written to the TCP connection to {@code to}. */
    public void sendBytes(byte[] bytes, InetSocketAddress to, Transport transport) {
        if (transport == Transport.UDP) {
            udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), to)).syncUninterruptibly();
            return;
        }
        connection(to).writeAndFlush(Unpooled.wrappedBuffer(bytes)).syncUninterruptibly();
    }

    /** The TCP connection to {@code to}, opened on first use. */
    public Channel connection(InetSocketAddress to) {
        Channel ch = connections.get(to);
        if (ch != null && ch.isActive()) {
            return ch;
        }
        ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        initStream(c);
                    }
                }).connect(to).syncUninterruptibly().channel();
        connections.put(to, ch);
        return ch;
    }

    /** Replaces bare LF line ends by CRLF, so tests can write messages as text blocks. */
    public static String crlf(String text) {
        return text.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    /** A request builder with this agent as the sender (Via, From, Contact). */
    public RequestBuilder request(String method, String requestUri) {
        return new RequestBuilder(this, method, requestUri);
    }

    // ---- receiving -------------------------------------------------------------------------------------------------

    private void onMessage(String text, InetSocketAddress source, Transport transport, Channel channel) {
        if (text.isBlank()) {
            return;
        }
        received.add(new Received(text, source, transport));
        UasBehavior b = behavior;
        if (b != null && !text.startsWith("SIP/2.0 ")) {
            answer(b, text, source, transport, channel);
        }
    }

    /** Everything received so far. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Forgets what was received. */
    public synchronized void clear() {
        received.clear();
        consumed = 0;
    }

    /** The next received message (in arrival order, not yet returned by an await) that matches, or fails. */
    public synchronized Received await(Predicate<Received> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Received> all = received();
            for (int i = consumed; i < all.size(); i++) {
                if (match.test(all.get(i))) {
                    consumed = i + 1;
                    return all.get(i);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no matching message within " + timeout.toMillis() + " ms; received:\n"
                        + all);
            }
            try {
                wait(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** The next response with this status. */
    public Received awaitResponse(int status, Duration timeout) {
        return await(r -> r.status() == status, timeout);
    }

    /** The next final response (>= 200). */
    public Received awaitFinal(Duration timeout) {
        return await(r -> r.status() >= 200, timeout);
    }

    /** The next request with this method. */
    public Received awaitRequest(String method, Duration timeout) {
        return await(r -> r.method().equals(method), timeout);
    }

    /** Received messages matching, without consuming. */
    public List<Received> all(Predicate<Received> match) {
        return received().stream().filter(match).toList();
    }

    /** Asserts nothing matching arrives within {@code window} (a bounded wait for negative checks). */
    public void assertNone(Predicate<Received> match, Duration window) {
        long deadline = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < deadline) {
            for (Received r : received()) {
                if (match.test(r)) {
                    throw new AssertionError("unexpected message: " + r);
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    // ---- UAS -------------------------------------------------------------------------------------------------------

    private void answer(UasBehavior b, String text, InetSocketAddress source, Transport transport, Channel channel) {
        Received r = new Received(text, source, transport);
        String method = r.method();
        if (method.equals("ACK")) {
            return;
        }
        if (method.equals("INVITE")) {
            String toTag = Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L);
            String key = r.callId() + " " + r.message().cseq().number();
            boolean finalSent = false;
            for (int status : b.statuses()) {
                reply(text, status, status == 100 ? null : toTag, source, transport, channel);
                finalSent |= status >= 200;
            }
            if (finalSent) {
                invitesAnswered.incrementAndGet();
            } else {
                pendingInvites.put(key, new Pending(text, channel, source, transport, toTag));
            }
            return;
        }
        if (!b.respondToOthers()) {
            return;
        }
        if (method.equals("CANCEL")) {
            reply(text, 200, null, source, transport, channel);
            Pending p = pendingInvites.remove(r.callId() + " " + r.message().cseq().number());
            if (p != null) {
                reply(p.inviteText(), 487, p.toTag(), p.source(), p.transport(), p.channel());
            }
            return;
        }
        reply(text, 200, Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L), source, transport, channel);
    }

    private void reply(String requestText, int status, String toTag, InetSocketAddress source, Transport transport,
                       Channel channel) {
        String response = response(requestText, status, toTag, transport);
        ByteBuf buf = Unpooled.wrappedBuffer(response.getBytes(StandardCharsets.UTF_8));
        if (transport == Transport.UDP) {
            udp.writeAndFlush(new DatagramPacket(buf, source));
        } else {
            channel.writeAndFlush(buf);
        }
    }

    /** A response to {@code requestText} as a UAS writes it (§8.2.6): Via, Record-Route, From, To, Call-ID, CSeq. */
    public String response(String requestText, int status, String toTag) {
        return response(requestText, status, toTag, Transport.UDP);
    }

    /** As {@link #response(String, int, String)}, with a Contact for {@code transport}. */
    public String response(String requestText, int status, String toTag, Transport transport) {
        SipMessage m = new Received(requestText, address, Transport.UDP).message();
        StringBuilder sb = new StringBuilder();
        sb.append("SIP/2.0 ").append(status).append(' ').append(reason(status)).append("\r\n");
        for (ValueRange v : m.ranges(HeaderName.VIA)) {
            sb.append("Via: ").append(m.text(v)).append("\r\n");
        }
        if (status > 100 && status < 300) {
            for (ValueRange v : m.ranges(HeaderName.RECORD_ROUTE)) {
                sb.append("Record-Route: ").append(m.text(v)).append("\r\n");
            }
        }
        sb.append("From: ").append(m.headerValue(m.first(HeaderName.FROM))).append("\r\n");
        String to = m.headerValue(m.first(HeaderName.TO));
        sb.append("To: ").append(to);
        if (toTag != null && !to.contains(";tag=")) {
            sb.append(";tag=").append(toTag);
        }
        sb.append("\r\n");
        sb.append("Call-ID: ").append(m.callId()).append("\r\n");
        sb.append("CSeq: ").append(m.cseq().number()).append(' ').append(m.cseq().method()).append("\r\n");
        if (status > 100 && status < 300) {
            sb.append("Contact: <sip:uas@").append(hostPort())
                    .append(transport == Transport.TCP ? ";transport=tcp" : "").append(">\r\n");
        }
        if (status == 503) {
            sb.append("Retry-After: 5\r\n");
        }
        sb.append("Content-Length: 0\r\n\r\n");
        return sb.toString();
    }

    private static String reason(int status) {
        return switch (status) {
            case 100 -> "Trying";
            case 180 -> "Ringing";
            case 200 -> "OK";
            case 486 -> "Busy Here";
            case 487 -> "Request Terminated";
            case 503 -> "Service Unavailable";
            default -> "Status " + status;
        };
    }

    @Override
    public void close() {
        udp.close();
        tcpServer.close();
        for (Channel c : new ArrayList<>(connections.values())) {
            c.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
