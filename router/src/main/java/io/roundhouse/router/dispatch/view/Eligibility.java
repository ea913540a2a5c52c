package io.roundhouse.router.dispatch.view;

import io.roundhouse.router.health.FarmHealth;
import io.roundhouse.router.services.ServiceMatch;
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
        String common = whyNotCommon(node, service);
        if (common != null) {
            return common;
        }
        NodeStatus status = node.status().orElse(NodeStatus.ACTIVE);
        if (status != NodeStatus.ACTIVE) {
            return status.wireName();
        }
        if (node.agent().isEmpty()) {
            return fullMarked(node, service) ? "full" : null;
        }
        NodeState a = node.agent().get();
        if (!a.accepting().contains(service.service()) && !a.accepting().contains(service.app())) {
            return "not-accepting";
        }
        return fullMarked(node, service) ? "full" : null;
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
        if (node.agent().isEmpty()) {
            return requireAgent ? "no-agent" : null;
        }
        if (node.status().orElse(NodeStatus.ACTIVE) == NodeStatus.UNREACHABLE) {
            return NodeStatus.UNREACHABLE.wireName(); // it publishes no apps then: the reason is this, not app-missing
        }
        return node.agent().get().apps().contains(service.app()) ? null : "app-missing";
    }

    private boolean fullMarked(NodeEntry node, ServiceMatch service) {
        return node.fullServices().contains(service.service()) || localMarks.isFull(node.id(), service.service());
    }
}
