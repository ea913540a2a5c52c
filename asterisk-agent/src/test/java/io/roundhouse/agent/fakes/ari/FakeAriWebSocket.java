package io.roundhouse.agent.fakes.ari;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ARI event WebSocket ({@code GET /ari/events?app=...}) of a fake Asterisk: a minimal Netty server on a free
 * loopback port. It checks Basic credentials (a wrong one gets the captured 401 handshake answer), sends nothing on
 * connect (as captured: {@code ari-events-connect-probe.jsonl} is empty), answers pings, and pushes the frames a test
 * gives it. {@link #drop()} closes every socket at TCP level without a close frame, as Asterisk does on shutdown
 * ({@code ari-ws-shutdown.json}); {@link #refuse(boolean)} makes new connections fail, as a stopped Asterisk does.
 */
public final class FakeAriWebSocket implements AutoCloseable {

    /** Asterisk's captured answer to an upgrade with a bad password; read once, never on the event loop. */
    private static final byte[] UNAUTHORIZED = AsteriskFixtures.text("ari-ws-handshake-bad-password.http")
            .getBytes(StandardCharsets.UTF_8);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup sockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<String> handshakes = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Channel server;
    private final String authorization;
    private volatile boolean refusing;
    private volatile boolean silent;
    private final AtomicInteger connections = new AtomicInteger();
    /** The applications each open socket registered ({@code ?app=a,b}), as Asterisk keys registration on them. */
    private final java.util.Map<Channel, List<String>> registered = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<java.util.Set<String>> onRegisteredChanged = apps -> { };

    public FakeAriWebSocket(String user, String password) {
        this(user, password, 0);
    }

    /**
     * With {@code restPort} > 0, every request that is not the events upgrade is relayed byte for byte to that port
     * (the WireMock REST fake), so that one port serves ARI's REST and WebSocket as Asterisk's HTTP server does.
     */
    public FakeAriWebSocket(String user, String password, int restPort) {
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        if (refusing) {
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(new Sniffer(restPort));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    private void webSocketPipeline(ChannelPipeline pipeline, String after) {
        pipeline.addAfter(after, "ws-frames", new Frames());
        pipeline.addAfter(after, "ws-protocol", new WebSocketServerProtocolHandler(
                WebSocketServerProtocolConfig.newBuilder().websocketPath("/ari/events").checkStartsWith(true)
                        .sendCloseFrame(null) // Asterisk closes without a close frame
                        .build()));
        pipeline.addAfter(after, "ping-gate", new PingGate());
        pipeline.addAfter(after, "ws-handshake", new Handshake());
        pipeline.addAfter(after, "http-aggregator", new HttpObjectAggregator(64 * 1024));
        pipeline.addAfter(after, "http-codec", new HttpServerCodec());
    }

    /** Reads the request line, then installs the WebSocket pipeline or the relay to the REST fake. */
    private final class Sniffer extends ByteToMessageDecoder {
        private final int restPort;

        Sniffer(int restPort) {
            this.restPort = restPort;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
            if (eol < 0) {
                if (in.readableBytes() > 8192) {
                    ctx.close();
                }
                return;
            }
            String requestLine = in.toString(in.readerIndex(), eol - in.readerIndex(), StandardCharsets.US_ASCII);
            if (requestLine.startsWith("GET /ari/events") || restPort <= 0) {
                webSocketPipeline(ctx.pipeline(), ctx.name());
            } else {
                ctx.pipeline().addAfter(ctx.name(), "relay", new Relay(restPort));
            }
            ctx.pipeline().remove(this); // hands the bytes read so far to the handlers just installed
        }
    }

    /** Relays one connection to the REST fake, both ways, on the same event loop (no blocking, no locking). */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final int port;
        private final List<Object> pending = new ArrayList<>();
        private Channel upstream;

        Relay(int port) {
            this.port = port;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            Channel inbound = ctx.channel();
            new Bootstrap().group(inbound.eventLoop()).channel(NioSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext uctx, Object msg) {
                            inbound.writeAndFlush(msg);
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext uctx) {
                            inbound.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                        }
                    })
                    .connect("127.0.0.1", port).addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            pending.forEach(ReferenceCountUtil::release);
                            pending.clear();
                            inbound.close();
                            return;
                        }
                        upstream = f.channel();
                        pending.forEach(upstream::write);
                        pending.clear();
                        upstream.flush();
                    });
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (upstream == null) {
                pending.add(msg);
            } else {
                upstream.writeAndFlush(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Request URIs of the upgrades accepted so far, e.g. {@code /ari/events?app=Conference,Echo}. */
    public List<String> handshakes() {
        return List.copyOf(handshakes);
    }

    /** TCP connections accepted so far (refused and failed upgrades included): the client's attempts. */
    public int connectionAttempts() {
        return connections.get();
    }

    /** Sockets open now. */
    public int connected() {
        return sockets.size();
    }

    /** Text frames received from clients (ARI clients send none). */
    public List<String> received() {
        return List.copyOf(received);
    }

    /** Sends one text frame to every open socket. */
    public void send(String frame) {
        sockets.writeAndFlush(new TextWebSocketFrame(frame)).syncUninterruptibly();
    }

    /** Closes every socket at TCP level, without a close frame. */
    public void drop() {
        sockets.close().syncUninterruptibly();
    }

    /**
     * While true, open sockets stay open but pings go unanswered and nothing is sent: a hung Asterisk, or a half-open
     * TCP connection after a network fault.
     */
    public void silent(boolean silent) {
        this.silent = silent;
    }

    /** While true, new TCP connections are closed at once (the client's upgrade fails). */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    /** Told the registered applications (of every open socket) after each connect and disconnect. */
    public void onRegisteredChanged(java.util.function.Consumer<java.util.Set<String>> listener) {
        onRegisteredChanged = listener;
    }

    /** The applications registered by the sockets open now. */
    public java.util.Set<String> registeredApps() {
        java.util.Set<String> apps = new java.util.TreeSet<>();
        registered.values().forEach(apps::addAll);
        return apps;
    }

    private void registeredChanged() {
        onRegisteredChanged.accept(registeredApps());
    }

    private static List<String> appsOf(String uri) {
        String query = uri.contains("?") ? uri.substring(uri.indexOf('?') + 1) : "";
        for (String param : query.split("&")) {
            if (param.startsWith("app=")) {
                return List.of(java.net.URLDecoder.decode(param.substring(4), StandardCharsets.UTF_8).split(","));
            }
        }
        return List.of();
    }

    @Override
    public void close() {
        sockets.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Checks credentials before the upgrade, as Asterisk does (401 otherwise, captured bytes). */
    private final class Handshake extends SimpleChannelInboundHandler<FullHttpRequest> {
        Handshake() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!authorization.equals(request.headers().get("Authorization"))) {
                request.release();
                ctx.pipeline().remove(HttpServerCodec.class);
                ctx.channel().writeAndFlush(Unpooled.wrappedBuffer(UNAUTHORIZED))
                        .addListener(f -> ctx.channel().close());
                return;
            }
            handshakes.add(request.uri());
            ctx.fireChannelRead(request);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                sockets.add(ctx.channel());
            }
            super.userEventTriggered(ctx, event);
        }
    }

    /** Drops pings while {@link #silent} (the protocol handler after it would answer them). */
    private final class PingGate extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (silent && msg instanceof PingWebSocketFrame) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                received.add(text.text());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete complete) {
                sockets.add(ctx.channel());
                registered.put(ctx.channel(), appsOf(complete.requestUri()));
                registeredChanged();
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (registered.remove(ctx.channel()) != null) {
                registeredChanged();
            }
            super.channelInactive(ctx);
        }
    }
}
