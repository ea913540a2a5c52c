package io.roundhouse.agent.fakes.ari;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The ARI event WebSocket ({@code GET /ari/events?app=...}) of a fake Asterisk: a minimal Netty server on a free
 * loopback port. It checks Basic credentials (a wrong one gets the captured 401 handshake answer), sends nothing on
 * connect (as captured: {@code ari-events-connect-probe.jsonl} is empty), answers pings, and pushes the frames a test
 * gives it. {@link #drop()} closes every socket at TCP level without a close frame, as Asterisk does on shutdown
 * ({@code ari-ws-shutdown.json}); {@link #refuse(boolean)} makes new connections fail, as a stopped Asterisk does.
 */
public final class FakeAriWebSocket implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup sockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<String> handshakes = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Channel server;
    private final String authorization;
    private volatile boolean refusing;

    public FakeAriWebSocket(String user, String password) {
        this.authorization = "Basic " + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (refusing) {
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new Handshake(),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ari/events").checkStartsWith(true)
                                        .sendCloseFrame(null) // Asterisk closes without a close frame
                                        .build()),
                                new Frames());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Request URIs of the upgrades accepted so far, e.g. {@code /ari/events?app=Conference,Echo}. */
    public List<String> handshakes() {
        return List.copyOf(handshakes);
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

    /** While true, new TCP connections are closed at once (the client's upgrade fails). */
    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    @Override
    public void close() {
        sockets.close().syncUninterruptibly();
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
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
                byte[] answer = AsteriskFixtures.text("ari-ws-handshake-bad-password.http")
                        .getBytes(StandardCharsets.UTF_8);
                ctx.pipeline().remove(HttpServerCodec.class);
                ctx.channel().writeAndFlush(Unpooled.wrappedBuffer(answer))
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

    private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame text) {
                received.add(text.text());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                sockets.add(ctx.channel());
            }
            super.userEventTriggered(ctx, event);
        }
    }
}
