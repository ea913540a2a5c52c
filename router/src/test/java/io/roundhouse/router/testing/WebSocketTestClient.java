package io.roundhouse.router.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket client for tests, on Netty's client handshaker: the upgrade's HTTP status (101 or the refusal), the
 * messages received as text, pings counted and answered or not ({@code answerPings}), the close frame's status and the
 * moment the connection closed. One event loop thread of its own; {@link #close()} frees it.
 */
public final class WebSocketTestClient implements AutoCloseable {

    /** What the upgrade came to. */
    public record Upgrade(int status, String body) {
        public boolean accepted() {
            return status == 101;
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final CompletableFuture<Upgrade> upgrade = new CompletableFuture<>();
    private final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final AtomicInteger pings = new AtomicInteger();
    private final boolean answerPings;
    private Channel channel;
    private WebSocketClientHandshaker handshaker;

    private WebSocketTestClient(boolean answerPings) {
        this.answerPings = answerPings;
    }

    /**
     * Connects to {@code uri} ({@code ws://} or {@code wss://}; {@code tls} for the latter) offering {@code subprotocol}
     * (null: none) with {@code origin} (null: no Origin header), and sends the upgrade request.
     */
    public static WebSocketTestClient connect(URI uri, String subprotocol, String origin, SslContext tls,
                                              boolean answerPings) throws InterruptedException {
        WebSocketTestClient c = new WebSocketTestClient(answerPings);
        c.start(uri, subprotocol, origin, tls);
        return c;
    }

    /** A client offering {@code sip}, without Origin, answering pings. */
    public static WebSocketTestClient sip(URI uri) throws InterruptedException {
        return connect(uri, "sip", null, null, true);
    }

    private void start(URI uri, String subprotocol, String origin, SslContext tls) throws InterruptedException {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (origin != null) {
            headers.set(HttpHeaderNames.ORIGIN, origin);
        }
        // No Origin of Netty's making: a test without one is a client that is no browser.
        handshaker = WebSocketClientHandshakerFactory.newHandshaker(uri, WebSocketVersion.V13, subprotocol, false,
                headers, 1 << 20, true, false, 10_000, false, false);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), uri.getHost(), uri.getPort()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20), new Handler());
                    }
                });
        channel = b.connect(uri.getHost(), uri.getPort()).sync().channel();
        channel.closeFuture().addListener(f -> {
            upgrade.complete(new Upgrade(-1, "closed before an answer"));
            closeStatus.complete(-1);
        });
        // On the event loop: from another thread the handshake's own listener (which adds the frame encoder) could
        // run after the 101 was read and the HTTP codec removed, leaving a pipeline without the encoder (seen under
        // load). A connection the server closes at once (a cap) fails the write: the upgrade then reads "closed".
        channel.eventLoop().execute(() -> handshaker.handshake(channel));
    }

    /** The upgrade's outcome, waiting up to 5 s. */
    public Upgrade upgrade() throws Exception {
        return upgrade.get(5, TimeUnit.SECONDS);
    }

    /** Sends {@code sip} as one text frame. */
    public void sendText(String sip) {
        send(new TextWebSocketFrame(sip));
    }

    /** Sends {@code bytes} as one binary frame. */
    public void sendBinary(byte[] bytes) {
        send(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    /** Sends one frame as it is (fragments, ...). */
    public void send(WebSocketFrame frame) {
        // Written from the event loop, where the pipeline is changed: a write from another thread picks its first
        // handler when it is submitted.
        channel.eventLoop().submit(() -> channel.writeAndFlush(frame)).syncUninterruptibly().getNow()
                .syncUninterruptibly();
    }

    /** The next message received (a text or binary frame as text), or null after {@code wait}. */
    public String next(Duration wait) throws InterruptedException {
        return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message whose first line starts with {@code prefix}, skipping others; null after {@code wait}. */
    public String next(String prefix, Duration wait) throws InterruptedException {
        long end = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < end) {
            String m = messages.poll(Math.max(1, (end - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            if (m != null && m.startsWith(prefix)) {
                return m;
            }
        }
        return null;
    }

    /** Fails when a message whose first line starts with {@code prefix} arrives within {@code window}. */
    public void assertNothing(String prefix, Duration window) throws InterruptedException {
        String m = next(prefix, window);
        if (m != null) {
            throw new AssertionError("unexpected message: " + m);
        }
    }

    public int pings() {
        return pings.get();
    }

    /** The status of the close frame the server sent (-1 when it closed without one), waiting up to {@code wait}. */
    public int closeStatus(Duration wait) throws Exception {
        return closeStatus.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Waits up to {@code wait} for the connection to close; true when it did. */
    public boolean awaitClosed(Duration wait) throws InterruptedException {
        return channel.closeFuture().await(wait.toMillis());
    }

    /** The client's local port (for Via rport checks). */
    public int localPort() {
        return ((java.net.InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(2000);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5000);
    }

    private final class Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpResponse response) {
                if (response.status().code() == 101 && !handshaker.isHandshakeComplete()) {
                    try {
                        handshaker.finishHandshake(ctx.channel(), response.retain());
                        upgrade.complete(new Upgrade(101, ""));
                    } catch (RuntimeException e) {
                        upgrade.complete(new Upgrade(-2, e.getMessage()));
                    } finally {
                        response.release();
                    }
                } else {
                    upgrade.complete(new Upgrade(response.status().code(),
                            response.content().toString(StandardCharsets.UTF_8)));
                }
                return;
            }
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                ByteBuf content = ((WebSocketFrame) msg).content();
                messages.add(content.toString(StandardCharsets.UTF_8));
            } else if (msg instanceof PingWebSocketFrame ping) {
                pings.incrementAndGet();
                if (answerPings) {
                    ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
                }
            } else if (msg instanceof CloseWebSocketFrame close) {
                closeStatus.complete(close.statusCode());
            }
        }
    }
}
