package io.roundhouse.router.testing;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.transport.Transport;
import java.util.List;

/** Router configurations for tests: loopback, free ports, short timers. */
public final class TestRouters {

    private TestRouters() {
    }

    /**
     * A config listening on UDP and TCP at 127.0.0.1 (one free port), with T1 = 50 ms (so the 64*T1 timers last 3.2 s),
     * Timer D 1 s, failover after {@code failoverMillis}, and the given agents as nodes {@code node-1..n} over
     * {@code nodeTransport}. 127.0.0.1 is exempt from the flood limit: the tests' callers, fuzzers and nodes all send
     * from it, where in production they would be many hosts (the flood limit is tested with its own configs).
     */
    public static RouterConfig config(List<SipTestAgent> nodes, Transport nodeTransport, long failoverMillis) {
        StringBuilder yaml = new StringBuilder("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "tcp:127.0.0.1:0" ]
                  timers: { t1: 50ms, t2: 400ms, t4: 500ms, timer-d: 1s, timer-c: 10s, failover-timeout: %dms }
                  flood: { exempt: [ "127.0.0.1" ] }
                nodes:%s
                """.formatted(failoverMillis, nodes.isEmpty() ? " []" : ""));
        for (int i = 0; i < nodes.size(); i++) {
            yaml.append("  - { id: node-").append(i + 1).append(", uri: \"").append(nodes.get(i).uri(nodeTransport))
                    .append("\", weight: 1 }\n");
        }
        return RouterConfig.parse(yaml.toString());
    }

    /**
     * Record-Route (or Route) values without the router's signature parameter ({@code ;rh=...}, which differs per
     * call), so that tests can compare the rest exactly.
     */
    public static List<String> unsigned(List<String> values) {
        return values.stream().map(TestRouters::unsigned).toList();
    }

    /** One value without its {@code ;rh=...} parameter. */
    public static String unsigned(String value) {
        return value.replaceAll(";rh=[A-Za-z0-9_.-]*", "");
    }

    /**
     * A config for live dispatch tests that build no SIP engine: the given sections ({@code nodes}, {@code services},
     * {@code health}, {@code dispatch}) under a {@code sip:} section on a free loopback port.
     */
    public static RouterConfig live(String sections) {
        return RouterConfig.parse("sip: { listen: [ \"udp:127.0.0.1:0\" ] }\n" + sections);
    }

    /** {@link #config(List, Transport, long)} over UDP with a 1 s failover timeout. */
    public static RouterConfig config(SipTestAgent... nodes) {
        return config(List.of(nodes), Transport.UDP, 1000);
    }
}
