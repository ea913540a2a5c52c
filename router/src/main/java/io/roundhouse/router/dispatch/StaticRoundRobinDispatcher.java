package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.sip.SipParseException;
import io.roundhouse.router.sip.SipUri;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP engine's default dispatcher: round robin over the static {@code nodes} of the config that health lets take
 * calls (OPTIONS probing and passive health, {@link FarmHealth}), and on failure the next such node not yet tried for
 * that call. When no node is healthy the call gets no node (the caller gets 503 at once, as in live dispatch).
 */
public final class StaticRoundRobinDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(StaticRoundRobinDispatcher.class);

    private volatile List<StaticNode> nodes;
    private final FarmHealth health;
    /** Address and port of each node: another process on a node's host (e.g. a local caller) is not the node. */
    private volatile Set<InetSocketAddress> nodeAddresses;
    private final AtomicInteger next = new AtomicInteger();
    /** Nodes tried per call; weak keys so a call that ends without {@link #completed} leaves nothing behind. */
    private final Map<CallContext, Set<String>> tried = Collections.synchronizedMap(new WeakHashMap<>());

    /** Round robin with passive health only (no OPTIONS probing): what {@code Router.start(config)} uses. */
    public StaticRoundRobinDispatcher(List<StaticNode> nodes) {
        this(nodes, FarmHealth.unprobed(() -> nodes.stream().map(StaticNode::id).toList(), System::nanoTime));
    }

    public StaticRoundRobinDispatcher(List<StaticNode> nodes, FarmHealth health) {
        this.health = health;
        replaceNodes(nodes);
    }

    /** Live reload: calls from now on go round the new list; a call in progress keeps what it tried. */
    public void replaceNodes(List<StaticNode> newNodes) {
        Set<InetSocketAddress> addresses = new HashSet<>();
        for (StaticNode n : newNodes) {
            try {
                SipUri uri = SipUri.parse(n.uri());
                addresses.add(new InetSocketAddress(InetAddress.getByName(uri.hostAddress()), uri.portOrDefault()));
            } catch (SipParseException | UnknownHostException e) {
                throw new IllegalArgumentException("node " + n.id() + ": bad URI " + n.uri() + ": " + e.getMessage(), e);
            }
        }
        this.nodeAddresses = Set.copyOf(addresses);
        this.nodes = List.copyOf(newNodes);
    }

    @Override
    public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
        List<StaticNode> nodes = this.nodes;
        if (nodes.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        int start = next.getAndIncrement();
        for (int i = 0; i < nodes.size(); i++) {
            StaticNode node = nodes.get(Math.floorMod(start + i, nodes.size()));
            if (health.takesCalls(node.id())) {
                Set<String> set = new HashSet<>();
                set.add(node.id());
                tried.put(call, set);
                return CompletableFuture.completedFuture(Optional.of(sent(call, node)));
            }
        }
        return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                          AttemptOutcome outcome) {
        if (isInvite(call)) {
            if (outcome.isTimeout()) {
                health.inviteTimedOut(failed.nodeId());
            } else {
                health.inviteAnswered(failed.nodeId());
            }
        }
        Set<String> set = tried.computeIfAbsent(call, c -> new HashSet<>());
        set.add(failed.nodeId());
        List<StaticNode> nodes = this.nodes;
        int start = 0;
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).id().equals(failed.nodeId())) {
                start = i + 1;
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            StaticNode candidate = nodes.get((start + i) % nodes.size());
            if (!set.contains(candidate.id()) && health.takesCalls(candidate.id())) {
                set.add(candidate.id());
                return CompletableFuture.completedFuture(Optional.of(sent(call, candidate)));
            }
        }
        tried.remove(call);
        return CompletableFuture.completedFuture(Optional.empty());
    }

    @Override
    public void completed(CallContext call, DispatchTarget target, int statusCode) {
        tried.remove(call);
        if (isInvite(call)) {
            health.inviteAnswered(target.nodeId());
        }
    }

    @Override
    public void onNodeDown(NodeDownListener listener) {
        health.onNodeDown(id -> {
            if (nodes.stream().anyMatch(n -> !n.id().equals(id) && health.takesCalls(n.id()))) {
                listener.nodeDown(id);
            } else {
                LOG.warn("node {} is down and no other node looks up: calls on it are left to their timers", id);
            }
        });
    }

    @Override
    public boolean isFromNode(InetSocketAddress source) {
        return nodeAddresses.contains(new InetSocketAddress(source.getAddress(), source.getPort()));
    }

    private DispatchTarget sent(CallContext call, StaticNode node) {
        if (isInvite(call)) {
            health.inviteSent(node.id());
        }
        return new DispatchTarget(node.id(), node.uri(), Map.of());
    }

    /** Passive health counts INVITEs only: a call's answer (or its silence) is what it judges. */
    private static boolean isInvite(CallContext call) {
        return "INVITE".equals(call.method());
    }
}
