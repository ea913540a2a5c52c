package io.roundhouse.router.reload;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.config.SipSettings;
import io.roundhouse.router.dispatch.config.StaticNode;
import io.roundhouse.router.dispatch.config.DispatchSettings;
import io.roundhouse.router.health.HealthSettings;
import io.roundhouse.router.services.ServiceRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The differences between the running config and a new one, split into what a reload applies (services, nodes and
 * weights, health timings, the dispatch settings read per call) and what only a restart can change (listen addresses
 * and the rest of {@code sip:}, Redis, the metrics and admin listeners, the dispatch mode, threads and timers built at
 * start).
 *
 * @param applicable  one line per change a reload applies
 * @param needRestart one line per change that needs a restart
 */
record ConfigChanges(List<String> applicable, List<String> needRestart) {

    static ConfigChanges between(RouterConfig running, RouterConfig next) {
        List<String> applicable = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        if (running.liveDispatch() != next.liveDispatch()) {
            restart.add("services: " + (next.liveDispatch() ? "added (round robin to live dispatch)"
                    : "removed (live dispatch to round robin)"));
        }
        SipSettings a = running.sip();
        SipSettings b = next.sip();
        compare(restart, "sip.listen", a.listen(), b.listen());
        compare(restart, "sip.advertised-address", a.advertisedAddress().orElse("none"),
                b.advertisedAddress().orElse("none"));
        compare(restart, "sip.max-message-size", a.maxMessageSize(), b.maxMessageSize());
        compare(restart, "sip.record-route", a.recordRoute(), b.recordRoute());
        compare(restart, "sip.callers-keep-their-port", a.callersKeepTheirPort(), b.callersKeepTheirPort());
        compare(restart, "sip.timers", a.timers(), b.timers());
        compare(restart, "sip.retry-after", a.retryAfter(), b.retryAfter());
        compare(restart, "sip.no-service-status", a.noServiceStatus(), b.noServiceStatus());
        compare(restart, "sip.flood", a.flood(), b.flood());
        compare(restart, "sip.connections", a.connections(), b.connections());
        compare(restart, "sip.tls", a.tls(), b.tls());
        compare(restart, "sip.websocket", a.webSocket(), b.webSocket());
        compare(restart, "sip.route-secret-file", a.routeSecretFile(), b.routeSecretFile());
        compare(applicable, "sip.drain-timeout", a.drainTimeout(), b.drainTimeout());
        if (!running.redis().equals(next.redis())) {
            restart.add("redis: changed"); // never printed: the URL may hold a password
        }
        compare(restart, "metrics.listen", running.metrics().endpoint().map(Object::toString).orElse("none"),
                next.metrics().endpoint().map(Object::toString).orElse("none"));
        if (!Objects.equals(running.admin(), next.admin())) {
            restart.add("admin: changed"); // the token is never printed
        }
        health(applicable, restart, running.health(), next.health());
        dispatch(applicable, restart, running.dispatch(), next.dispatch());
        nodes(applicable, running.nodes(), next.nodes());
        if (running.liveDispatch() && next.liveDispatch()) {
            services(applicable, running.services().rules(), next.services().rules());
        }
        return new ConfigChanges(applicable, restart);
    }

    private static void health(List<String> applicable, List<String> restart, HealthSettings a, HealthSettings b) {
        compare(restart, "health.enabled", a.enabled(), b.enabled());
        compare(applicable, "health.interval", a.interval(), b.interval());
        compare(applicable, "health.timeout", a.timeout(), b.timeout());
        compare(applicable, "health.down-after", a.downAfter(), b.downAfter());
        compare(applicable, "health.up-after", a.upAfter(), b.upAfter());
    }

    private static void dispatch(List<String> applicable, List<String> restart, DispatchSettings a,
                                 DispatchSettings b) {
        // Read per call by the dispatcher: applied by a reload.
        compare(applicable, "dispatch.max-attempts", a.maxAttempts(), b.maxAttempts());
        compare(applicable, "dispatch.redis-timeout", a.redisTimeout(), b.redisTimeout());
        compare(applicable, "dispatch.least-loaded.channel-weight", a.channelWeight(), b.channelWeight());
        compare(applicable, "dispatch.default-retry-after", a.defaultRetryAfter(), b.defaultRetryAfter());
        compare(applicable, "dispatch.trust-node-ports", a.trustNodePorts(), b.trustNodePorts());
        compare(applicable, "dispatch.call-state-ttl", a.callStateTtl(), b.callStateTtl());
        // Built into threads, timers and the eligibility rule at start.
        compare(restart, "dispatch.refresh-interval", a.refreshInterval(), b.refreshInterval());
        compare(restart, "dispatch.require-agent", a.requireAgent(), b.requireAgent());
        compare(restart, "dispatch.redis-threads", a.redisThreads(), b.redisThreads());
        compare(restart, "dispatch.decisions-kept", a.decisionsKept(), b.decisionsKept());
        compare(restart, "dispatch.outage-holdover", a.outageHoldover(), b.outageHoldover());
        compare(restart, "dispatch.placement-reclaim-after", a.placementReclaimAfter(), b.placementReclaimAfter());
    }

    private static void nodes(List<String> applicable, List<StaticNode> a, List<StaticNode> b) {
        Map<String, StaticNode> before = byKey(a, StaticNode::id);
        Map<String, StaticNode> after = byKey(b, StaticNode::id);
        before.forEach((id, n) -> {
            StaticNode m = after.get(id);
            if (m == null) {
                applicable.add("nodes." + id + ": removed");
            } else {
                compare(applicable, "nodes." + id + ".uri", Objects.toString(n.uri(), "none"),
                        Objects.toString(m.uri(), "none"));
                compare(applicable, "nodes." + id + ".weight", n.weight(), m.weight());
            }
        });
        after.forEach((id, n) -> {
            if (!before.containsKey(id)) {
                applicable.add("nodes." + id + ": added" + (n.uri() == null ? "" : " (" + n.uri() + ", weight "
                        + n.weight() + ")"));
            }
        });
        if (before.keySet().equals(after.keySet()) && !List.copyOf(before.keySet()).equals(List.copyOf(after.keySet()))) {
            applicable.add("nodes: order changed");
        }
    }

    private static void services(List<String> applicable, List<ServiceRule> a, List<ServiceRule> b) {
        Map<String, ServiceRule> before = byKey(a, ServiceRule::name);
        Map<String, ServiceRule> after = byKey(b, ServiceRule::name);
        before.forEach((name, r) -> {
            ServiceRule s = after.get(name);
            if (s == null) {
                applicable.add("services." + name + ": removed");
            } else if (!written(r).equals(written(s))) {
                applicable.add("services." + name + ": changed");
            }
        });
        after.keySet().stream().filter(name -> !before.containsKey(name))
                .forEach(name -> applicable.add("services." + name + ": added"));
        List<String> kept = before.keySet().stream().filter(after::containsKey).toList();
        if (!kept.equals(after.keySet().stream().filter(before::containsKey).toList())) {
            applicable.add("services: order changed (the first rule that matches wins)");
        }
    }

    /** A rule as the operator wrote it: compiled patterns and templates have no value equality. */
    private static String written(ServiceRule r) {
        return String.join("\n", String.valueOf(r.ruriUser()), String.valueOf(r.ruriHost()), r.headers().entrySet()
                        .stream().map(e -> e.getKey() + "=" + e.getValue().pattern()).sorted().toList().toString(),
                r.app(), r.appData().source(), r.affinity().map(t -> t.source()).orElse(""), r.nodes().toString(),
                r.strategy().configName(), r.hashKey().configName());
    }

    private static <T> Map<String, T> byKey(List<T> items, Function<T, String> key) {
        Map<String, T> out = new LinkedHashMap<>();
        items.forEach(i -> out.put(key.apply(i), i));
        return out;
    }

    private static void compare(List<String> out, String key, Object before, Object after) {
        if (!Objects.equals(before, after)) {
            out.add(key + ": " + show(before) + " -> " + show(after));
        }
    }

    private static String show(Object value) {
        if (value instanceof Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        return String.valueOf(value);
    }
}
