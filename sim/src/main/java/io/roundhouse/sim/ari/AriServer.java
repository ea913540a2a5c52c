package io.roundhouse.sim.ari;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.roundhouse.sim.capture.Captures;
import io.roundhouse.shared.capture.HttpCapture;
import io.roundhouse.sim.node.Bridge;
import io.roundhouse.sim.node.NodeListener;
import io.roundhouse.sim.node.NodeSettings;
import io.roundhouse.sim.node.SimulatedNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ARI of a simulated node on one HTTP port, as Asterisk's HTTP server: the event WebSocket
 * ({@code GET /ari/events?app=A,B}) and the REST resources the agent uses, answering with the captured responses of
 * Asterisk 22.10.1 and the node's real channels and bridges.
 *
 * <p>An application is registered while a WebSocket names it (a later socket naming it takes it over and the earlier
 * one gets {@code ApplicationReplaced}, as captured); the node hands calls to Stasis only for registered applications.
 * Events go to the socket owning the channel's application: StasisStart, ChannelStateChange after answer,
 * ChannelEnteredBridge, and at the end ChannelHangupRequest, ChannelLeftBridge, StasisEnd. Nothing is sent on connect,
 * and the socket is closed without a close frame on shutdown, as Asterisk does.
 */
public final class AriServer implements NodeListener, SimulatedNode.Registrations, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AriServer.class);
    private static final AttributeKey<List<String>> APPS = AttributeKey.valueOf("ari-apps");
    private static final int MAX_REQUEST = 64 * 1024;
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final SimulatedNode node;
    private final NodeSettings settings;
    private final String basic;
    private final ChannelGroup sockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Map<String, Channel> owners = new LinkedHashMap<>(); // guarded by this
    private Channel server;

    public AriServer(SimulatedNode node) {
        this.node = node;
        this.settings = node.settings();
        this.basic = "Basic " + Base64.getEncoder().encodeToString((settings.ariUser() + ":" + settings.ariPassword())
                .getBytes(StandardCharsets.UTF_8));
    }

    public void start(EventLoopGroup group) {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST),
                                new Requests(),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ari/events").checkStartsWith(true)
                                        .sendCloseFrame(null).build()),
                                new Frames());
                    }
                })
                .bind(new InetSocketAddress(settings.host(), settings.ariPort())).syncUninterruptibly().channel();
        node.addListener(this);
        node.registrations(this);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** {@code http://host:port/}, the agent's {@code ari.url}. */
    public String url() {
        return "http://" + settings.host() + ":" + port() + "/";
    }

    @Override
    public synchronized boolean registered(String app) {
        Channel owner = owners.get(app);
        return owner != null && owner.isActive();
    }

    /** Applications registered now, sorted. */
    public synchronized Set<String> registeredApps() {
        Set<String> apps = new TreeSet<>();
        owners.forEach((app, owner) -> {
            if (owner.isActive()) {
                apps.add(app);
            }
        });
        return apps;
    }

    /** Closes every event WebSocket at TCP level, without a close frame (what the agent sees of a restart). */
    public void dropWebSockets() {
        sockets.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        sockets.close().syncUninterruptibly();
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    // ---- events ---------------------------------------------------------------------------------------------------

    @Override
    public void stasisStarted(io.roundhouse.sim.node.Channel channel) {
        send(channel.app(), AriFrames.stasisStart(channel));
    }

    @Override
    public void channelAnswered(io.roundhouse.sim.node.Channel channel) {
        send(channel.app(), AriFrames.channelStateChange(channel));
    }

    @Override
    public void channelEnteredBridge(io.roundhouse.sim.node.Channel channel, String bridgeId, Set<String> members) {
        send(channel.app(), AriFrames.channelEnteredBridge(channel, bridgeId, members));
    }

    @Override
    public void channelEnded(io.roundhouse.sim.node.Channel channel, boolean soft, String bridgeId,
                             Set<String> membersLeft, int cause, boolean inStasis) {
        if (!inStasis) {
            return;
        }
        send(channel.app(), AriFrames.channelHangupRequest(channel, soft));
        if (!bridgeId.isEmpty()) {
            send(channel.app(), AriFrames.channelLeftBridge(channel, bridgeId, membersLeft));
        }
        send(channel.app(), AriFrames.stasisEnd(channel));
    }

    private void send(String app, String frame) {
        Channel owner;
        synchronized (this) {
            owner = owners.get(app);
        }
        if (owner != null && owner.isActive()) {
            owner.writeAndFlush(new TextWebSocketFrame(frame));
        }
    }

    private synchronized void register(Channel socket, List<String> apps) {
        sockets.add(socket);
        for (String app : apps) {
            Channel previous = owners.put(app, socket);
            if (previous != null && previous != socket && previous.isActive()) {
                previous.writeAndFlush(new TextWebSocketFrame(AriFrames.applicationReplaced(app)));
            }
        }
        log.debug("{}: ARI applications {} registered", node.id(), apps);
        socket.closeFuture().addListener(f -> unregister(socket));
    }

    private synchronized void unregister(Channel socket) {
        owners.values().removeIf(owner -> owner == socket);
    }

    // ---- HTTP -----------------------------------------------------------------------------------------------------

    /** Authenticates every request; REST is answered here, the events upgrade is passed on. */
    private final class Requests extends SimpleChannelInboundHandler<FullHttpRequest> {
        Requests() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            if (!authorized(request, uri)) {
                String capture = request.headers().contains(HttpHeaderNames.AUTHORIZATION)
                        || uri.parameters().containsKey("api_key")
                        ? "ari-get-channels-bad-password.http" : "ari-get-channels-no-auth.http";
                respond(ctx, request, Captures.http(capture));
                request.release();
                return;
            }
            if (uri.path().equals("/ari/events")) {
                List<String> apps = uri.parameters().getOrDefault("app", List.of()).stream()
                        .flatMap(a -> List.of(a.split(",")).stream()).filter(a -> !a.isBlank()).toList();
                if (apps.isEmpty()) {
                    respond(ctx, request, Captures.http("ari-ws-handshake-wrong-subprotocol.http"));
                    request.release();
                    return;
                }
                ctx.channel().attr(APPS).set(apps);
                ctx.fireChannelRead(request);
                return;
            }
            Duration latency = settings.latency();
            if (latency.isZero()) {
                rest(ctx, request, uri);
            } else {
                ctx.executor().schedule(() -> rest(ctx, request, uri), latency.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: ARI connection closed: {}", node.id(), cause.toString());
            ctx.close();
        }
    }

    /**
     * After the protocol handler: registers the socket's applications when its upgrade completes, and drops what ARI
     * clients send (nothing; pings are answered by the protocol handler).
     */
    private final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            // nothing: ARI events flow one way
        }

        /**
         * Asterisk registers the applications once the upgrade is established (res_ari's
         * {@code event_websocket_established}), not when it is attempted: a connection its client abandoned before
         * the 101 registers nothing.
         */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete && ctx.channel().isActive()) {
                register(ctx.channel(), ctx.channel().attr(APPS).get());
            }
            super.userEventTriggered(ctx, event);
        }
    }

    private boolean authorized(FullHttpRequest request, QueryStringDecoder uri) {
        if (basic.equals(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            return true;
        }
        List<String> key = uri.parameters().get("api_key");
        return key != null && key.contains(settings.ariUser() + ":" + settings.ariPassword());
    }

    private void rest(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        try {
            respond(ctx, request, route(request.method(), uri));
        } catch (RuntimeException e) {
            log.warn("{}: ARI {} {} failed: {}", node.id(), request.method(), request.uri(), e.toString());
            respond(ctx, request, Captures.http("ari-get-unknown-resource.http"));
        } finally {
            request.release();
        }
    }

    private HttpCapture route(HttpMethod method, QueryStringDecoder uri) {
        String[] path = uri.path().replaceFirst("^/ari/?", "").split("/");
        String resource = path.length > 0 ? path[0] : "";
        String id = path.length > 1 ? path[1] : null;
        String action = path.length > 2 ? path[2] : null;
        switch (resource) {
            case "asterisk" -> {
                if (method == HttpMethod.GET && "ping".equals(id)) {
                    return Captures.http("ari-get-asterisk-ping.http");
                }
                if (method == HttpMethod.GET && "info".equals(id)) {
                    return Captures.http("ari-get-asterisk-info.http");
                }
            }
            case "channels" -> {
                return channels(method, id, action, uri);
            }
            case "bridges" -> {
                return bridges(method, id, action, uri);
            }
            case "applications" -> {
                if (method == HttpMethod.GET && id == null) {
                    return Captures.http("ari-get-applications-connected.http").withBody(AriFrames.array(
                            registeredApps().stream().map(AriFrames::application).toList()));
                }
                if (method == HttpMethod.GET && action == null) {
                    return registered(id) ? Captures.http("ari-get-application-conference.http")
                            .withBody(AriFrames.application(id).toString())
                            : Captures.http("ari-get-application-conference-not-registered.http");
                }
            }
            default -> {
                // Asterisk's own 404 below.
            }
        }
        return Captures.http("ari-get-unknown-resource.http");
    }

    private HttpCapture channels(HttpMethod method, String id, String action, QueryStringDecoder uri) {
        if (id == null && method == HttpMethod.GET) {
            List<io.roundhouse.sim.node.Channel> all = node.channels();
            return all.isEmpty() ? Captures.http("ari-get-channels-empty.http") : Captures.http("ari-get-channels-1.http")
                    .withBody(AriFrames.array(all.stream().map(AriFrames::channel).toList()));
        }
        if (id == null) {
            return Captures.http("ari-get-unknown-resource.http");
        }
        if (action == null && method == HttpMethod.GET) {
            return node.channel(id).map(c -> Captures.http("ari-get-channel.http").withBody(AriFrames.channel(c)
                    .toString())).orElseGet(() -> Captures.http("ari-get-channel-not-found.http"));
        }
        if ("answer".equals(action) && method == HttpMethod.POST) {
            return node.answer(id) == 204 ? Captures.http("ari-post-channel-answer.http")
                    : Captures.http("ari-get-channel-not-found.http");
        }
        if (action == null && method == HttpMethod.DELETE) {
            String reason = first(uri, "reason");
            String code = first(uri, "reason_code");
            if (reason != null && code != null) {
                return Captures.http("ari-delete-channel-reason-and-code.http");
            }
            if (code != null && !code.matches("[0-9]{1,3}")) {
                return Captures.http("ari-delete-channel-invalid-reason.http");
            }
            return switch (node.hangup(id, reason, code)) {
                case 204 -> Captures.http("ari-delete-channel-congestion.http");
                case 400 -> Captures.http("ari-delete-channel-invalid-reason.http");
                default -> Captures.http("ari-get-channel-not-found.http");
            };
        }
        return Captures.http("ari-get-unknown-resource.http");
    }

    private HttpCapture bridges(HttpMethod method, String id, String action, QueryStringDecoder uri) {
        if (id == null && method == HttpMethod.GET) {
            List<Bridge> all = node.bridges();
            return all.isEmpty() ? Captures.http("ari-get-bridges-empty.http") : Captures.http("ari-get-bridges-1.http")
                    .withBody(AriFrames.array(all.stream().map(b -> AriFrames.bridge(b.id(), b.members(), b.created()))
                            .toList()));
        }
        if (id == null && method == HttpMethod.POST) {
            String bridgeId = Optional.ofNullable(first(uri, "bridgeId")).orElse(java.util.UUID.randomUUID().toString());
            return node.createBridge(bridgeId)
                    .map(b -> Captures.http("ari-post-bridges-create.http")
                            .withBody(AriFrames.bridge(b.id(), b.members(), b.created()).toString()))
                    .orElseGet(() -> {
                        HttpCapture duplicate = Captures.http("ari-post-bridges-create-duplicate.http");
                        return duplicate.withBody(duplicate.body().replace("conf-1000", bridgeId));
                    });
        }
        if (id == null) {
            return Captures.http("ari-get-unknown-resource.http");
        }
        if (action == null && method == HttpMethod.GET) {
            return node.bridge(id).map(b -> Captures.http("ari-get-bridge.http")
                    .withBody(AriFrames.bridge(b.id(), b.members(), b.created()).toString()))
                    .orElseGet(() -> Captures.http("ari-delete-bridge-not-found.http"));
        }
        if ("addChannel".equals(action) && method == HttpMethod.POST) {
            String channel = first(uri, "channel");
            return channel != null && node.addChannel(id, channel) == 204
                    ? Captures.http("ari-post-bridge-addchannel.http") : Captures.http("ari-delete-bridge-not-found.http");
        }
        if (action == null && method == HttpMethod.DELETE) {
            return node.destroyBridge(id) == 204 ? Captures.http("ari-delete-bridge.http")
                    : Captures.http("ari-delete-bridge-not-found.http");
        }
        return Captures.http("ari-get-unknown-resource.http");
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Writes a captured response: its status, reason phrase and headers, a fresh Date, the body's length, and
     * {@code Connection: close} only when the request asked for it (the captures were taken with it).
     */
    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpCapture capture) {
        byte[] body = capture.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(capture.status(), capture.reasonPhrase()), Unpooled.wrappedBuffer(body));
        for (String[] header : capture.headers()) {
            String name = header[0];
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Connection")) {
                continue;
            }
            response.headers().add(name, name.equalsIgnoreCase("Date")
                    ? HTTP_DATE.format(ZonedDateTime.now(java.time.ZoneOffset.UTC)) : header[1]);
        }
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
