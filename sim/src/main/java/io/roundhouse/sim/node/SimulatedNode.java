package io.roundhouse.sim.node;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.roundhouse.sim.sip.CapturedResponses;
import io.roundhouse.sim.sip.SipMessage;
import io.roundhouse.sim.sip.SipStreamFramer;
import io.roundhouse.sim.sip.SipUri;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated Asterisk 22 node behind the Roundhouse dialplan: the SIP side (UDP and TCP) of pjsip and the channels and
 * mixing bridges that its AMI and ARI servers show. It answers as the captures of a real node do
 * ({@link CapturedResponses}): 100 Trying at once, then what the dialplan and the Stasis application decide.
 *
 * <p>A call goes to Stasis only when X-Exec-App names an application registered over an ARI WebSocket (asked of
 * {@code registrations}); otherwise the dialplan's {@code Hangup(34)} answers 503 with cause 34. The application
 * (the real agent) answers, bridges and hangs up over ARI REST, which lands in {@link #answer}, {@link #hangup},
 * {@link #createBridge}, {@link #addChannel} and {@link #destroyBridge}. An answered call ends on the caller's BYE,
 * on the application's hang-up (BYE to the caller), or after {@link NodeSettings#hold()} (BYE to the caller).
 *
 * <p>All state is guarded by this object's lock; SIP and ARI arrive on Netty event loops and never block on it for
 * long (no I/O is done while holding it except queueing a datagram).
 */
public final class SimulatedNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SimulatedNode.class);
    /** RFC 3261 §17.1.1.1: T1, the first 2xx retransmission interval (§13.3.1.4); doubled up to T2 = 4 s. */
    private static final long T1_MS = 500;
    private static final long T2_MS = 4_000;
    /** §13.3.1.4: a 2xx is retransmitted for 64*T1 without ACK, then the call is ended with a BYE. */
    private static final long ACK_WAIT_MS = 64 * T1_MS;
    /** Answers kept for retransmitted requests and late ACKs after a call ended (Timer J/H scale). */
    private static final long FINISHED_KEEP_MS = 32_000;
    /** Asterisk's AST_CAUSE_SWITCH_CONGESTION: chan_pjsip ends a call over {@code maxcalls} with it (503). */
    static final int CAUSE_SWITCH_CONGESTION = 42;

    /** Which Stasis applications are registered over ARI now (the ARI server knows its WebSockets). */
    public interface Registrations {
        boolean registered(String app);
    }

    private final NodeSettings settings;
    private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Channel> channels = new LinkedHashMap<>();    // by channel id
    private final Map<String, Channel> byCallId = new LinkedHashMap<>();    // by Call-ID
    private final Map<String, SipMessage> finished = new LinkedHashMap<>(); // Call-ID -> final answer
    private final Map<String, Bridge> bridges = new LinkedHashMap<>();
    private final Set<String> dialing = new LinkedHashSet<>();             // Call-IDs between 100 and the dialplan
    private final long epoch = System.currentTimeMillis() / 1000;
    private long sequence;
    private long processed;
    private long bounced;
    private volatile Registrations registrations = app -> false;
    private volatile DatagramChannel sip;
    private volatile io.netty.channel.Channel sipTcp;
    /** Open TCP connections by their remote address: answers and in-dialog requests go back on them (§18.2.2). */
    private final Map<InetSocketAddress, io.netty.channel.Channel> tcpLinks = new ConcurrentHashMap<>();
    private EventLoopGroup group;

    public SimulatedNode(NodeSettings settings) {
        this.settings = settings;
    }

    public NodeSettings settings() {
        return settings;
    }

    public String id() {
        return settings.id();
    }

    public void addListener(NodeListener listener) {
        listeners.add(listener);
    }

    public void registrations(Registrations value) {
        registrations = value;
    }

    /** Binds the SIP sockets (UDP and TCP on one port) on the group. */
    public void start(EventLoopGroup eventLoops) {
        this.group = eventLoops;
        // Port 0: the free UDP port taken may be in use over TCP; take another, a bounded number of times.
        for (int attempt = 1; ; attempt++) {
            DatagramChannel udp = (DatagramChannel) new Bootstrap().group(eventLoops).channel(NioDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            received(ByteBufUtil.getBytes(packet.content()), packet.sender());
                        }
                    })
                    .bind(new InetSocketAddress(settings.host(), settings.sipPort())).syncUninterruptibly().channel();
            try {
                sipTcp = bindTcp(eventLoops, udp.localAddress().getPort());
                sip = udp;
                return;
            } catch (Exception e) { // Netty rethrows the BindException unchecked
                udp.close().syncUninterruptibly();
                if (settings.sipPort() != 0 || attempt == 20 || !(e instanceof java.net.BindException)) {
                    throw e;
                }
            }
        }
    }

    // TCP on the same port, as pjsip.conf's two transports: the router sends a request over 1300 bytes over TCP
    // (RFC 3261 §18.1.1), e.g. a phone's INVITE with a long SDP once the router has added its headers.
    private io.netty.channel.Channel bindTcp(EventLoopGroup eventLoops, int port) {
        return new ServerBootstrap().group(eventLoops).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetSocketAddress remote = ch.remoteAddress();
                        tcpLinks.put(remote, ch);
                        ch.closeFuture().addListener(f -> tcpLinks.remove(remote, ch));
                        ch.pipeline().addLast(new SipStreamFramer(), new SimpleChannelInboundHandler<byte[]>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, byte[] message) {
                                received(message, remote);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                log.debug("{}: SIP over TCP from {} closed: {}", id(), remote, cause.toString());
                                ctx.close();
                            }
                        });
                    }
                })
                .bind(new InetSocketAddress(settings.host(), port)).syncUninterruptibly().channel();
    }

    /** The SIP port bound (the configured one, or the free one taken for 0). */
    public int sipPort() {
        return sip.localAddress().getPort();
    }

    /** {@code sip:<host>:<port>}, what the agent publishes as the node's URI. */
    public String sipUri() {
        return "sip:" + settings.host() + ":" + sipPort();
    }

    // ---- SIP ---------------------------------------------------------------------------------------------------

    private void received(byte[] bytes, InetSocketAddress sender) {
        SipMessage message;
        try {
            message = SipMessage.parse(bytes);
        } catch (RuntimeException e) {
            log.debug("{}: dropped a malformed datagram from {}: {}", id(), sender, e.getMessage());
            return;
        }
        if (!message.isRequest()) {
            return; // answers to our BYEs: nothing to do
        }
        if (message.method().equals("INVITE")) {
            invite(message, sender); // 100 Trying at once, whatever the latency (pjsip sends it before the dialplan)
            return;
        }
        Duration latency = settings.latency();
        if (latency.isZero()) {
            request(message, sender);
        } else {
            group.schedule(() -> request(message, sender), latency.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void request(SipMessage message, InetSocketAddress sender) {
        switch (message.method()) {
            case "ACK" -> ack(message);
            case "BYE" -> bye(message, sender);
            case "CANCEL" -> cancel(message, sender);
            case "OPTIONS" -> options(message, sender);
            default -> send(CapturedResponses.answer(CapturedResponses.BYE_OK, message, sender, tag()), sender);
        }
    }

    private synchronized void invite(SipMessage invite, InetSocketAddress sender) {
        String callId = invite.value("Call-ID");
        Channel known = byCallId.get(callId);
        if (known != null || finished.containsKey(callId) || dialing.contains(callId)) {
            // A retransmission (or a second INVITE of the dialog): the last answer again.
            SipMessage last = known != null ? known.lastResponse() : finished.get(callId);
            send(last != null ? last : CapturedResponses.answer(CapturedResponses.TRYING, invite, sender, ""), sender);
            return;
        }
        send(CapturedResponses.answer(CapturedResponses.TRYING, invite, sender, ""), sender);
        dialing.add(callId);
        Duration latency = settings.latency();
        if (latency.isZero()) {
            dialplan(invite, sender);
        } else {
            group.schedule(() -> dialplan(invite, sender), latency.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void dialplan(SipMessage invite, InetSocketAddress sender) {
        String callId = invite.value("Call-ID");
        dialing.remove(callId);
        String toTag = tag();
        Dialplan.Route route = Dialplan.route(invite);
        if (route instanceof Dialplan.NoExtension) {
            reject(invite, sender, CapturedResponses.NOT_FOUND, toTag);
            return;
        }
        if (route instanceof Dialplan.Incomplete) {
            // Not captured: the 404's lines under the status line pjsip gives AST_CAUSE_INVALID_NUMBER_FORMAT.
            reject(invite, sender, CapturedResponses.withStatus(CapturedResponses.NOT_FOUND,
                    "SIP/2.0 484 Address Incomplete"), toTag);
            return;
        }
        if (settings.capacity() > 0 && channels.size() >= settings.capacity()) {
            // chan_pjsip: ast_pbx_start() over maxcalls -> hangup cause AST_CAUSE_SWITCH_CONGESTION -> 503.
            reject(invite, sender, CapturedResponses.CONGESTION.with("Reason", "Q.850;cause=" + CAUSE_SWITCH_CONGESTION),
                    toTag);
            return;
        }
        String exten = SipUri.parse(invite.requestUri()).user();
        long seq = sequence++;
        processed++;
        String app = route instanceof Dialplan.Stasis s ? s.app() : "";
        List<String> args = route instanceof Dialplan.Stasis s ? s.args() : List.of();
        Channel channel = new Channel(epoch + "." + seq, String.format("PJSIP/router-%08x", seq), exten, invite, sender,
                toTag, app, args);
        // The channel exists while the dialplan runs, as in Asterisk (AMI Newchannel then Hangup).
        listeners.forEach(l -> l.channelCreated(channel));
        if (route instanceof Dialplan.NoApplication) {
            finish(channel, CapturedResponses.FORBIDDEN, 21);
            return;
        }
        if (!registrations.registered(app)) {
            // STASISSTATUS=FAILED -> Hangup(34) in asterisk-conf/extensions.conf.
            finish(channel, CapturedResponses.CONGESTION, 34);
            return;
        }
        channels.put(channel.id(), channel);
        byCallId.put(callId, channel);
        listeners.forEach(l -> l.stasisStarted(channel));
    }

    /** A final answer before any channel existed (404, over capacity). */
    private void reject(SipMessage invite, InetSocketAddress sender, SipMessage template, String toTag) {
        SipMessage answer = CapturedResponses.answer(template, invite, sender, toTag);
        remember(invite.value("Call-ID"), answer);
        send(answer, sender);
    }

    /** A channel ends unanswered in the dialplan (403, 503): the answer, then AMI Hangup. */
    private void finish(Channel channel, SipMessage template, int cause) {
        SipMessage answer = CapturedResponses.answer(template, channel.invite(), channel.source(), channel.toTag());
        remember(channel.callId(), answer);
        send(answer, channel.source());
        listeners.forEach(l -> l.channelEnded(channel, false, "", Set.of(), cause, false));
    }

    private synchronized void ack(SipMessage ack) {
        Channel channel = byCallId.get(ack.value("Call-ID"));
        if (channel != null && channel.answered()) {
            channel.acked(true);
            channel.timer(null);
            scheduleHold(channel);
        }
    }

    private synchronized void bye(SipMessage bye, InetSocketAddress sender) {
        Channel channel = byCallId.get(bye.value("Call-ID"));
        if (channel == null) {
            // RFC 3261 §15.1.2: a BYE for no dialog gets 481.
            send(CapturedResponses.answer(CapturedResponses.BYE_OK, bye, sender, tag())
                    .withStartLine("SIP/2.0 481 Call/Transaction Does Not Exist"), sender);
            return;
        }
        send(CapturedResponses.answer(CapturedResponses.BYE_OK, bye, sender, channel.toTag()), sender);
        end(channel, false, 16);
    }

    private synchronized void cancel(SipMessage cancel, InetSocketAddress sender) {
        Channel channel = byCallId.get(cancel.value("Call-ID"));
        send(CapturedResponses.answer(CapturedResponses.BYE_OK, cancel, sender, tag()), sender);
        if (channel != null && !channel.answered()) {
            // §9.2: the INVITE is answered 487 (no capture: the status line is the RFC's, the rest a captured answer).
            SipMessage terminated = CapturedResponses.withStatus(CapturedResponses.DECLINE,
                    "SIP/2.0 487 Request Terminated").without("Reason");
            SipMessage answer = CapturedResponses.answer(terminated, channel.invite(), channel.source(),
                    channel.toTag());
            remember(channel.callId(), answer);
            send(answer, channel.source());
            end(channel, false, 16);
        }
    }

    private void options(SipMessage options, InetSocketAddress sender) {
        String user = SipUri.parse(options.requestUri()).user();
        // Captured: 200 for the server and for users that match an extension, 404 otherwise; the To tag is the
        // request's Via branch.
        SipMessage template = user.isEmpty() || Dialplan.hasExtension(user) ? CapturedResponses.OPTIONS_OK
                : CapturedResponses.OPTIONS_NOT_FOUND;
        send(CapturedResponses.answer(template, options, sender, options.branch()), sender);
    }

    // ---- ARI REST (called by the ARI server) --------------------------------------------------------------------

    /** {@code POST /channels/{id}/answer}: 200 OK with SDP to the caller; 204, or 404 for an unknown channel. */
    public synchronized int answer(String channelId) {
        Channel channel = channels.get(channelId);
        if (channel == null) {
            return 404;
        }
        if (!channel.answered()) {
            SipMessage ok = CapturedResponses.answer(CapturedResponses.ANSWERED, channel.invite(), channel.source(),
                    channel.toTag())
                    .withAfterVia("Record-Route", channel.invite().values("Record-Route"))
                    .with("Contact", "<" + sipUri() + (overTcp(channel.source()) ? ";transport=TCP" : "") + ">");
            channel.answered(true);
            channel.lastResponse(ok);
            send(ok, channel.source());
            retransmitUntilAck(channel, ok, T1_MS, 0);
            listeners.forEach(l -> l.channelAnswered(channel));
        }
        return 204;
    }

    /**
     * {@code DELETE /channels/{id}?reason=...} (or {@code reason_code}): before answer the SIP answer the reason maps
     * to (captured: congestion 503/34, busy 486/17, normal 603/16, no_answer 480/19, codes 34 and 21); after answer
     * a BYE to the caller. 204, 404 for an unknown channel, 400 for a bad reason.
     */
    public synchronized int hangup(String channelId, String reason, String reasonCode) {
        Channel channel = channels.get(channelId);
        if (channel == null) {
            return 404;
        }
        SipMessage template;
        int cause;
        if (reasonCode != null) {
            cause = Integer.parseInt(reasonCode);
            template = switch (cause) {
                case 34 -> CapturedResponses.CONGESTION;
                case 21 -> CapturedResponses.FORBIDDEN;
                case 17 -> CapturedResponses.BUSY;
                case 19 -> CapturedResponses.NO_ANSWER;
                default -> CapturedResponses.DECLINE.with("Reason", "Q.850;cause=" + cause);
            };
        } else {
            switch (reason == null ? "normal" : reason) {
                case "congestion" -> { template = CapturedResponses.CONGESTION; cause = 34; }
                case "busy" -> { template = CapturedResponses.BUSY; cause = 17; }
                case "no_answer" -> { template = CapturedResponses.NO_ANSWER; cause = 19; }
                case "normal" -> { template = CapturedResponses.DECLINE; cause = 16; }
                default -> {
                    return 400;
                }
            }
        }
        if (channel.answered()) {
            sendBye(channel);
        } else {
            if (cause == 34) {
                bounced++;
            }
            SipMessage answer = CapturedResponses.answer(template, channel.invite(), channel.source(), channel.toTag());
            remember(channel.callId(), answer);
            send(answer, channel.source());
        }
        end(channel, true, cause);
        return 204;
    }

    /** {@code POST /bridges?type=mixing&bridgeId=B}: the new bridge, or empty when one with that id exists (409). */
    public synchronized Optional<Bridge> createBridge(String bridgeId) {
        if (bridges.containsKey(bridgeId)) {
            return Optional.empty();
        }
        Bridge bridge = new Bridge(bridgeId);
        bridges.put(bridgeId, bridge);
        return Optional.of(new Bridge(bridge.id(), bridge.created(), Set.copyOf(bridge.members())));
    }

    /** {@code POST /bridges/{id}/addChannel?channel=C}: 204, 404 for an unknown bridge or channel. */
    public synchronized int addChannel(String bridgeId, String channelId) {
        Bridge bridge = bridges.get(bridgeId);
        Channel channel = channels.get(channelId);
        if (bridge == null || channel == null) {
            return 404;
        }
        if (!channel.bridgeId().isEmpty() && !channel.bridgeId().equals(bridgeId)) {
            Bridge old = bridges.get(channel.bridgeId());
            if (old != null) {
                old.members().remove(channelId);
            }
        }
        bridge.members().add(channelId);
        channel.bridgeId(bridgeId);
        Set<String> members = Set.copyOf(bridge.members());
        listeners.forEach(l -> l.channelEnteredBridge(channel, bridgeId, members));
        return 204;
    }

    /** {@code DELETE /bridges/{id}}: 204, 404 when there is none. Members stay in their calls, out of any bridge. */
    public synchronized int destroyBridge(String bridgeId) {
        Bridge bridge = bridges.remove(bridgeId);
        if (bridge == null) {
            return 404;
        }
        for (String member : bridge.members()) {
            Channel channel = channels.get(member);
            if (channel != null) {
                channel.bridgeId("");
            }
        }
        return 204;
    }

    public synchronized Optional<Channel> channel(String channelId) {
        return Optional.ofNullable(channels.get(channelId));
    }

    /** Channels in Stasis now, oldest first. */
    public synchronized List<Channel> channels() {
        return List.copyOf(channels.values());
    }

    public synchronized Optional<Bridge> bridge(String bridgeId) {
        Bridge b = bridges.get(bridgeId);
        return b == null ? Optional.empty() : Optional.of(new Bridge(b.id(), b.created(), Set.copyOf(b.members())));
    }

    public synchronized List<Bridge> bridges() {
        List<Bridge> all = new ArrayList<>();
        bridges.values().forEach(b -> all.add(new Bridge(b.id(), b.created(), Set.copyOf(b.members()))));
        return all;
    }

    /** Calls handled since start (CoreStatus CoreProcessedCalls). */
    public synchronized long processedCalls() {
        return processed;
    }

    /** The node's view for the demo and tests: channels and the members of each bridge with members. */
    public synchronized NodeView view() {
        Map<String, Set<String>> rooms = new LinkedHashMap<>();
        bridges.values().stream().filter(b -> !b.members().isEmpty())
                .forEach(b -> rooms.put(b.id(), Set.copyOf(b.members())));
        return new NodeView(id(), channels.size(), rooms, bounced);
    }

    /** Ends every call for which the predicate holds with a BYE from the node (as if the application hung up). */
    public synchronized int endCalls(Predicate<Channel> which) {
        int n = 0;
        for (Channel channel : List.copyOf(channels.values())) {
            if (channel.answered() && which.test(channel)) {
                sendBye(channel);
                end(channel, false, 16);
                n++;
            }
        }
        return n;
    }

    // ---- internals ------------------------------------------------------------------------------------------------

    /** Removes the channel and tells the listeners (ARI: hang-up request, left bridge, StasisEnd; AMI: Hangup). */
    private void end(Channel channel, boolean soft, int cause) {
        channel.timer(null);
        channels.remove(channel.id());
        byCallId.remove(channel.callId());
        if (channel.lastResponse() != null && channel.answered()) {
            remember(channel.callId(), channel.lastResponse());
        }
        String bridgeId = channel.bridgeId();
        Set<String> left = Set.of();
        Bridge bridge = bridges.get(bridgeId);
        if (bridge != null) {
            bridge.members().remove(channel.id());
            left = Set.copyOf(bridge.members());
        }
        Set<String> membersLeft = left;
        listeners.forEach(l -> l.channelEnded(channel, soft, bridge == null ? "" : bridgeId, membersLeft, cause, true));
    }

    private void scheduleHold(Channel channel) {
        Duration hold = settings.hold();
        if (hold.isZero() || group == null) {
            return;
        }
        channel.timer(group.schedule(() -> {
            synchronized (this) {
                if (channels.get(channel.id()) == channel) {
                    sendBye(channel);
                    end(channel, false, 16);
                }
            }
        }, hold.toNanos(), TimeUnit.NANOSECONDS));
    }

    /** §13.3.1.4: the 2xx again at T1, 2*T1, ... capped at T2, until ACK; after 64*T1 the call is ended by a BYE. */
    private void retransmitUntilAck(Channel channel, SipMessage ok, long interval, long waited) {
        if (group == null) {
            return;
        }
        channel.timer(group.schedule(() -> {
            synchronized (this) {
                if (channels.get(channel.id()) != channel || channel.acked()) {
                    return;
                }
                if (waited + interval >= ACK_WAIT_MS) {
                    log.info("{}: no ACK for {} within {} ms; ending it", id(), channel, ACK_WAIT_MS);
                    sendBye(channel);
                    end(channel, false, 16);
                    return;
                }
                send(ok, channel.source());
                retransmitUntilAck(channel, ok, Math.min(interval * 2, T2_MS), waited + interval);
            }
        }, interval, TimeUnit.MILLISECONDS));
    }

    /**
     * A BYE in the dialog (§12.2.1.1): Request-URI the caller's Contact, Route the INVITE's Record-Route in order
     * (the UAS route set, §12.1.1), sent to the first Route when it is a loose router, else to the Request-URI.
     */
    private void sendBye(Channel channel) {
        SipMessage invite = channel.invite();
        String target = invite.header("Contact").map(c -> c.contains("<") ? c.substring(c.indexOf('<') + 1,
                c.indexOf('>')) : c).orElse(invite.requestUri());
        List<String> routes = invite.addresses("Record-Route");
        boolean tcp = overTcp(channel.source());
        // Over TCP, back on the connection the call came on (the router's, RFC 5923 style); over UDP, to the next hop.
        InetSocketAddress next = tcp ? channel.source() : routes.isEmpty() ? SipUri.parse(target).address()
                : SipUri.parse(routes.get(0)).address();
        String local = settings.host() + ":" + sipPort();
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Via", "SIP/2.0/" + (tcp ? "TCP " : "UDP ") + local + ";rport;branch=z9hG4bKPj"
                + UUID.randomUUID()});
        headers.add(new String[] {"From", invite.value("To") + ";tag=" + channel.toTag()});
        headers.add(new String[] {"To", invite.value("From")});
        headers.add(new String[] {"Call-ID", channel.callId()});
        headers.add(new String[] {"CSeq", ThreadLocalRandom.current().nextInt(1000, 30000) + " BYE"});
        routes.forEach(r -> headers.add(new String[] {"Route", r}));
        headers.add(new String[] {"Reason", "Q.850;cause=16"});
        headers.add(new String[] {"Max-Forwards", "70"});
        headers.add(new String[] {"User-Agent", "Asterisk PBX 22.10.1"});
        headers.add(new String[] {"Content-Length", "0"});
        send(new SipMessage("BYE " + target + " SIP/2.0", headers, ""), next);
    }

    private void remember(String callId, SipMessage answer) {
        finished.put(callId, answer);
        if (group != null) {
            group.schedule(() -> {
                synchronized (this) {
                    finished.remove(callId, answer);
                }
            }, FINISHED_KEEP_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Over the TCP connection from {@code to} when there is one (a request that came over TCP), else over UDP. */
    private void send(SipMessage message, InetSocketAddress to) {
        io.netty.channel.Channel tcp = tcpLinks.get(to);
        if (tcp != null && tcp.isActive()) {
            tcp.writeAndFlush(Unpooled.wrappedBuffer(message.toBytes()));
            return;
        }
        DatagramChannel socket = sip;
        if (socket != null && socket.isActive()) {
            socket.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(message.toBytes()), to));
        }
    }

    private boolean overTcp(InetSocketAddress peer) {
        return tcpLinks.containsKey(peer);
    }

    /** pjsip's tags are UUIDs (captured). */
    private static String tag() {
        return UUID.randomUUID().toString();
    }

    @Override
    public void close() {
        DatagramChannel socket = sip;
        if (socket != null) {
            socket.close().syncUninterruptibly();
        }
        io.netty.channel.Channel tcp = sipTcp;
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        tcpLinks.values().forEach(io.netty.channel.Channel::close);
    }

    /**
     * What a node holds, for the demo's table and its checks.
     *
     * @param id       node id
     * @param channels channels in Stasis
     * @param rooms    bridges with members: bridge id to channel ids
     * @param bounced  calls the application hung up with congestion before answering them (503 to the router)
     */
    public record NodeView(String id, int channels, Map<String, Set<String>> rooms, long bounced) {
    }
}
