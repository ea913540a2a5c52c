package io.roundhouse.router.dispatch;

import io.roundhouse.router.dispatch.strategy.Candidate;
import io.roundhouse.router.dispatch.strategy.Strategy;
import io.roundhouse.router.dispatch.view.Eligibility;
import io.roundhouse.router.dispatch.view.NodeEntry;
import io.roundhouse.router.dispatch.view.NodeView;
import io.roundhouse.router.services.ServiceRule;
import io.roundhouse.shared.state.NodeState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One service's pool in one view, indexed once when the view is built (on the view thread), so that a call does not
 * walk the farm: the nodes the view alone lets take a new call of the service (agent, application, status,
 * admission, full marks in Redis), in pool order, prepared for the service's strategy; the others with the reason;
 * every member by id. A call then leaves out only what changed since the view was built: nodes tried, held down by
 * health, or marked full by this router ({@link LiveDispatcher}).
 */
final class ServicePool {

    final ServiceRule rule;
    final NodeView view;
    /** Candidates by the view alone, in pool order (what the strategy was prepared with). */
    final List<Candidate> candidates;
    final Strategy.Prepared prepared;
    private final NodeEntry[] entries;
    private final Map<String, Integer> positions;
    /** Every node of the pool present in the view, by id. */
    private final Map<String, NodeEntry> members;
    /** Pool nodes the view excludes, with the reason ("absent" for a pool id not in the view), in pool order. */
    final Map<String, String> viewExcluded;
    /** The rule's pool as a set; null when the rule takes every node. */
    private final Set<String> poolIds;

    private ServicePool(ServiceRule rule, NodeView view, List<Candidate> candidates, Strategy.Prepared prepared,
                        NodeEntry[] entries, Map<String, Integer> positions, Map<String, NodeEntry> members,
                        Map<String, String> viewExcluded, Set<String> poolIds) {
        this.rule = rule;
        this.view = view;
        this.candidates = candidates;
        this.prepared = prepared;
        this.entries = entries;
        this.positions = positions;
        this.members = members;
        this.viewExcluded = viewExcluded;
        this.poolIds = poolIds;
    }

    static ServicePool build(ServiceRule rule, NodeView view, Eligibility eligibility, Strategy strategy) {
        Map<String, String> excluded = new LinkedHashMap<>();
        List<NodeEntry> inPool;
        if (rule.nodes().isEmpty()) {
            inPool = view.nodes();
        } else {
            inPool = new ArrayList<>();
            for (String id : rule.nodes()) {
                NodeEntry n = view.byId().get(id);
                if (n != null) {
                    inPool.add(n);
                } else {
                    excluded.put(id, "absent");
                }
            }
        }
        Map<String, NodeEntry> members = new HashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        List<NodeEntry> eligible = new ArrayList<>();
        Map<String, Integer> positions = new HashMap<>();
        for (NodeEntry n : inPool) {
            members.put(n.id(), n);
            String why = eligibility.viewWhyNotNew(n, rule);
            if (why != null) {
                excluded.put(n.id(), why);
                continue;
            }
            positions.put(n.id(), eligible.size());
            eligible.add(n);
            candidates.add(candidate(n));
        }
        List<Candidate> frozen = List.copyOf(candidates);
        return new ServicePool(rule, view, frozen, frozen.isEmpty() ? null : strategy.prepare(frozen),
                eligible.toArray(new NodeEntry[0]), positions, members, Collections.unmodifiableMap(excluded),
                rule.nodes().isEmpty() ? null : Set.copyOf(rule.nodes()));
    }

    static Candidate candidate(NodeEntry n) {
        if (n.agent().isEmpty()) {
            return new Candidate(n.id(), n.weight(), false, 0, 0, 0, 0);
        }
        NodeState a = n.agent().get();
        return new Candidate(n.id(), n.weight(), true, a.channels(), a.maxChannels(), a.cpuPercent(),
                a.updatedAtMillis());
    }

    /** Number of candidates by the view alone. */
    int size() {
        return entries.length;
    }

    /** The candidate's position in {@link #candidates}, or -1 when the view does not let it take a new call. */
    int position(String id) {
        Integer p = positions.get(id);
        return p == null ? -1 : p;
    }

    NodeEntry candidateAt(int position) {
        return entries[position];
    }

    /** The pool's node in the view, whether it may take a new call or not; null when absent or not in the pool. */
    NodeEntry member(String id) {
        return members.get(id);
    }

    /** Every member, for a health that cannot name its suspects. */
    Iterable<NodeEntry> members() {
        return members.values();
    }

    /** Whether the service's {@code nodes:} pool holds the node (no pool: every node). */
    boolean inPool(String id) {
        return poolIds == null || poolIds.contains(id);
    }
}
