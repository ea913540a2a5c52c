package io.roundhouse.sim.ami;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.roundhouse.sim.capture.Captures;
import io.roundhouse.sim.node.NodeListener;
import io.roundhouse.sim.node.NodeSettings;
import io.roundhouse.sim.node.SimulatedNode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Asterisk manager interface of a simulated node, answering with the captured blocks of Asterisk 22.10.1 and
 * showing the channels the node really holds: {@code CoreShowChannels} lists them, {@code Newchannel},
 * {@code Newstate} and {@code Hangup} events follow them. ConfBridge actions answer as a node without dialplan
 * ConfBridge rooms does ({@code No active conferences.}): Roundhouse's rooms are ARI mixing bridges.
 *
 * <p>Login as asterisk-java does it: {@code Challenge} (not captured; written as manager.c's
 * {@code action_challenge()} does, like the agent's test fake) then {@code Login} with an MD5 key, or a plain secret.
 * A failed login is answered with the captured error and the connection closed a second later, as Asterisk does.
 */
public final class AmiServer implements NodeListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AmiServer.class);
    private static final AttributeKey<Session> SESSION = AttributeKey.valueOf("ami-session");
    /** A line longer than this is not AMI (the longest captured line is under 300 bytes). */
    private static final int MAX_LINE = 8192;
    private static final String BANNER = Captures.amiBlocks("ami-banner.txt").get(0);
    private static final String NEWCHANNEL = Captures.amiBlock("ami-events-stasis-call.txt", "Event: Newchannel");
    private static final String NEWSTATE = Captures.amiBlock("ami-events-stasis-call.txt", "Event: Newstate");
    private static final String HANGUP = Captures.amiBlock("ami-events-stasis-call.txt", "Event: Hangup");
    private static final List<String> SHOW_CHANNELS = Captures.amiBlocks("ami-coreshowchannels-1confbridge-call.txt");

    private final SimulatedNode node;
    private final NodeSettings settings;
    private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel server;

    public AmiServer(SimulatedNode node) {
        this.node = node;
        this.settings = node.settings();
    }

    public void start(EventLoopGroup group) {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(MAX_LINE, true, true),
                                new StringDecoder(StandardCharsets.UTF_8), new StringEncoder(StandardCharsets.UTF_8),
                                new Lines());
                    }
                })
                .bind(new InetSocketAddress(settings.host(), settings.amiPort())).syncUninterruptibly().channel();
        node.addListener(this);
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Managers logged in now. */
    public int loggedIn() {
        return (int) sessions.stream().filter(c -> c.attr(SESSION).get().loggedIn).count();
    }

    /** Closes every manager connection at TCP level (an Asterisk restart, as the agent sees it). */
    public void dropConnections() {
        sessions.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        sessions.close().syncUninterruptibly();
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    // ---- events ---------------------------------------------------------------------------------------------------

    @Override
    public void channelCreated(io.roundhouse.sim.node.Channel channel) {
        broadcast(describe(AmiMessage.parse(NEWCHANNEL), channel, "4", "Ring").toString());
    }

    @Override
    public void channelAnswered(io.roundhouse.sim.node.Channel channel) {
        broadcast(describe(AmiMessage.parse(NEWSTATE), channel, "6", "Up").toString());
    }

    @Override
    public void channelEnded(io.roundhouse.sim.node.Channel channel, boolean soft, String bridgeId,
                             Set<String> membersLeft, int cause, boolean inStasis) {
        AmiMessage hangup = describe(AmiMessage.parse(HANGUP), channel, channel.answered() ? "6" : "4",
                channel.answered() ? "Up" : "Ring").with("Cause", Integer.toString(cause))
                .with("Cause-txt", causeText(cause));
        broadcast(hangup.toString());
    }

    /** Sets the captured channel block's identity and state to the simulated channel's. */
    private static AmiMessage describe(AmiMessage block, io.roundhouse.sim.node.Channel channel, String state,
                                       String stateDesc) {
        return block.with("Channel", channel.name()).with("ChannelState", state).with("ChannelStateDesc", stateDesc)
                .with("Exten", channel.exten()).with("Uniqueid", channel.id()).with("Linkedid", channel.id());
    }

    /** Asterisk's texts for the causes a node uses (causes.h / channel.c causes[]). */
    private static String causeText(int cause) {
        return switch (cause) {
            case 16 -> "Normal Clearing";
            case 17 -> "User busy";
            case 19 -> "User alerting, no answer";
            case 21 -> "Call Rejected";
            case 34 -> "Circuit/channel congestion";
            case 42 -> "Switching equipment congestion";
            default -> "Unknown";
        };
    }

    private void broadcast(String event) {
        for (Channel c : sessions) {
            Session s = c.attr(SESSION).get();
            if (s.loggedIn && s.events) {
                c.writeAndFlush(event);
            }
        }
    }

    // ---- actions --------------------------------------------------------------------------------------------------

    /** One manager connection's state. */
    private static final class Session {
        boolean loggedIn;
        boolean events = true;
        String challenge;
        Map<String, String> action = new LinkedHashMap<>();
    }

    private final class Lines extends SimpleChannelInboundHandler<String> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.channel().attr(SESSION).set(new Session());
            sessions.add(ctx.channel());
            ctx.writeAndFlush(BANNER);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            Session session = ctx.channel().attr(SESSION).get();
            if (line.isEmpty()) {
                if (!session.action.isEmpty()) {
                    Map<String, String> action = session.action;
                    session.action = new LinkedHashMap<>();
                    answer(ctx, session, action);
                }
                return;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                session.action.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).trim());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{}: AMI connection closed: {}", node.id(), cause.toString());
            ctx.close();
        }
    }

    private void answer(ChannelHandlerContext ctx, Session session, Map<String, String> action) {
        String name = action.getOrDefault("action", "").toLowerCase(Locale.ROOT);
        String id = action.get("actionid");
        if (!session.loggedIn) {
            switch (name) {
                case "challenge" -> {
                    session.challenge = Integer.toString(ThreadLocalRandom.current().nextInt(100_000_000, 999_999_999));
                    // Not captured: manager.c action_challenge() = astman_start_ack + "Challenge: <n>".
                    ctx.writeAndFlush("Response: Success\r\n" + (id == null ? "" : "ActionID: " + id + "\r\n")
                            + "Challenge: " + session.challenge + "\r\n\r\n");
                }
                case "login" -> login(ctx, session, action, id);
                case "logoff" -> ctx.writeAndFlush(replay("ami-logoff.txt", id)).addListener(f -> ctx.close());
                default -> ctx.writeAndFlush(AmiMessage.parse("Response: Error\r\nMessage: Permission denied\r\n")
                        .with("ActionID", id == null ? "" : id).toString());
            }
            return;
        }
        switch (name) {
            case "coreshowchannels" -> ctx.writeAndFlush(coreShowChannels(id));
            case "confbridgelistrooms" -> ctx.writeAndFlush(replay("ami-confbridgelistrooms-none.txt", id));
            case "confbridgelist" -> ctx.writeAndFlush(replay(action.getOrDefault("conference", "").isEmpty()
                    ? "ami-confbridgelist-missing-conference.txt" : "ami-confbridgelist-none.txt", id));
            case "corestatus" -> ctx.writeAndFlush(withId(AmiMessage.parse(Captures.text("ami-corestatus.txt"))
                    .with("CoreCurrentCalls", Integer.toString(node.channels().size()))
                    .with("CoreProcessedCalls", Long.toString(node.processedCalls())), id));
            case "coresettings" -> ctx.writeAndFlush(replay("ami-coresettings.txt", id));
            case "ping" -> ctx.writeAndFlush(replay("ami-ping.txt", id));
            case "command" -> ctx.writeAndFlush(replay("ami-command-core-show-version.txt", id));
            case "logoff" -> ctx.writeAndFlush(replay("ami-logoff.txt", id)).addListener(f -> ctx.close());
            default -> ctx.writeAndFlush(replay("ami-unknown-action.txt", id));
        }
    }

    private void login(ChannelHandlerContext ctx, Session session, Map<String, String> action, String id) {
        boolean userOk = settings.amiUser().equals(action.get("username"));
        boolean secretOk;
        if ("md5".equalsIgnoreCase(action.get("authtype")) && session.challenge != null) {
            secretOk = md5Hex(session.challenge + settings.amiSecret()).equalsIgnoreCase(action.getOrDefault("key", ""));
        } else {
            secretOk = settings.amiSecret().equals(action.get("secret"));
        }
        if (userOk && secretOk) {
            session.loggedIn = true;
            session.events = !"off".equalsIgnoreCase(action.get("events"));
            ctx.writeAndFlush(replay(session.events ? "ami-login-success.txt" : "ami-login-events-off.txt", id));
            return;
        }
        log.info("{}: AMI login refused for user '{}'", node.id(), action.get("username"));
        ctx.writeAndFlush(replay("ami-login-failure.txt", id));
        // Asterisk closes the connection about one second after a failed login (captured).
        ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
    }

    /**
     * CoreShowChannels as captured ({@code ami-coreshowchannels-1confbridge-call.txt}): the response, one
     * {@code CoreShowChannel} per channel in Stasis, and the Complete event with {@code ListItems}.
     */
    private String coreShowChannels(String id) {
        StringBuilder out = new StringBuilder(withId(AmiMessage.parse(SHOW_CHANNELS.get(0)), id));
        List<io.roundhouse.sim.node.Channel> channels = node.channels();
        for (io.roundhouse.sim.node.Channel channel : channels) {
            AmiMessage item = AmiMessage.parse(SHOW_CHANNELS.get(1))
                    .with("Channel", channel.name())
                    .with("ChannelState", channel.answered() ? "6" : "4")
                    .with("ChannelStateDesc", channel.answered() ? "Up" : "Ring")
                    .with("Exten", channel.exten()).with("Priority", "7")
                    .with("Uniqueid", channel.id()).with("Linkedid", channel.id())
                    .with("Application", "Stasis")
                    .with("ApplicationData", channel.app() + "," + String.join(",", channel.args()))
                    .with("BridgeId", channel.bridgeId());
            out.append(withId(item, id));
        }
        out.append(withId(AmiMessage.parse(SHOW_CHANNELS.get(2)).with("ListItems", Integer.toString(channels.size())),
                id));
        return out.toString();
    }

    /** A captured answer, every block with the client's ActionID (or none when the action had none). */
    private static String replay(String capture, String id) {
        StringBuilder out = new StringBuilder();
        for (String block : Captures.amiBlocks(capture)) {
            AmiMessage m = AmiMessage.parse(block);
            out.append(m.get("ActionID") == null ? m.toString() : withId(m, id));
        }
        return out.toString();
    }

    private static String withId(AmiMessage message, String id) {
        return (id == null ? message.without("ActionID") : message.with("ActionID", id)).toString();
    }

    private static String md5Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
