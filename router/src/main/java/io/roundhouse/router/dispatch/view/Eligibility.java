package io.roundhouse.router.dispatch.view;

import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.services.ServiceMatch;
import io.roundhouse.router.services.ServiceRule;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;

/**
 * Whether a node may take a call of a service, and if not, why (the reason goes to the decision log).
 *
 * <p>A new call (or a new room) needs: health up, and, from the node's agent: the service's Stasis application
 * registered, status active, the service among those the node accepts, and no full mark for the service. A join to a
 * room the node hosts needs less: health up, the application registered, and status active or draining; admission of
 * joins is the node's own business (it bounces with 503 when it must). A static node without an agent is eligible on
 * health alone, unless {@code dispatch.require-agent} is set. The status checked is {@link NodeEntry#status()}: an
 * operator's control counts at once, with or without an agent.
 */
public final class Eligibility {

    private final boolean requireAgent;
    private final FarmHealth health;
    private final LocalFullMarks localMarks;

    public Eligibility(boolean requireAgent, FarmHealth health, LocalFullMarks localMarks) {
        this.requireAgent = requireAgent;
        this.health = health;
        this.localMarks = localMarks;
    }

    /** Null when {@code node} may take a new call of the service, otherwise the reason it may not. */
    public String whyNotNew(NodeEntry node, ServiceMatch service) {
        String unhealthy = health.whyNot(node.id());
        if (unhealthy != null) {
            return unhealthy;
        }
        String inView = viewWhyNotNew(node, service.rule());
        if (inView != null) {
            return inView;
        }
        return localMarks.isFull(node.id(), service.service()) ? "full" : null;
    }

    /**
     * What the view alone says of a new call of {@code rule} on {@code node}: null, or the reason it may not take
     * one. The rest of {@link #whyNotNew} is health (checked before this) and this router's own full marks (after
     * it, and both give "full"), which change between two views: a dispatcher may compute this part once per view
     * and add those two per call, with the same answer as {@link #whyNotNew}.
     */
    public String viewWhyNotNew(NodeEntry node, ServiceRule rule) {
        String common = whyNotCommonInView(node, rule.app());
        if (common != null) {
            return common;
        }
        NodeStatus status = node.status().orElse(NodeStatus.ACTIVE);
        if (status != NodeStatus.ACTIVE) {
            return status.wireName();
        }
        if (node.agent().isPresent()) {
            NodeState a = node.agent().get();
            if (!a.accepting().contains(rule.name()) && !a.accepting().contains(rule.app())) {
                return "not-accepting";
            }
        }
        return node.fullServices().contains(rule.name()) ? "full" : null;
    }

    /** Null when {@code node} may take a join to a room it hosts, otherwise the reason it may not. */
    public String whyNotJoin(NodeEntry node, ServiceMatch service) {
        String common = whyNotCommon(node, service);
        if (common != null) {
            return common;
        }
        NodeStatus s = node.status().orElse(NodeStatus.ACTIVE);
        return s == NodeStatus.ACTIVE || s == NodeStatus.DRAINING ? null : s.wireName();
    }

    private String whyNotCommon(NodeEntry node, ServiceMatch service) {
        String unhealthy = health.whyNot(node.id());
        if (unhealthy != null) {
            return unhealthy;
        }
        return whyNotCommonInView(node, service.app());
    }

    private String whyNotCommonInView(NodeEntry node, String app) {
        if (node.agent().isEmpty()) {
            return requireAgent ? "no-agent" : null;
        }
        if (node.status().orElse(NodeStatus.ACTIVE) == NodeStatus.UNREACHABLE) {
            return NodeStatus.UNREACHABLE.wireName(); // it publishes no apps then: the reason is this, not app-missing
        }
        return node.agent().get().apps().contains(app) ? null : "app-missing";
    }

    /** Whether this router marked the node full for the service itself (since its last 503), now. */
    public boolean locallyFull(String nodeId, String service) {
        return localMarks.isFull(nodeId, service);
    }
}
