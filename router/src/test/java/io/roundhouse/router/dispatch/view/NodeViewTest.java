package io.roundhouse.router.dispatch.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeViewTest {

    static NodeState agent(String id, String uri) {
        return new NodeState(id, uri, NodeStatus.ACTIVE, 0, 10, 0, Map.of(), Set.of("A"), Set.of("a"), "", "", 1);
    }

    @Test
    void viewIsTheUnionOfStaticNodesAndAgentsWithStaticOnesFirst() {
        NodeViewBuilder b = new NodeViewBuilder(List.of(new StaticNode("s1", "sip:127.0.0.1:5081", 80),
                new StaticNode("s2", "sip:127.0.0.1:5082", 20)));
        NodeView v = b.build(List.of(agent("d2", "sip:127.0.0.1:5092"), agent("s2", "sip:10.9.9.9:5060"),
                agent("d1", "sip:127.0.0.1:5091")), Map.of("d1", Set.of("conference")), 5, true);
        assertThat(v.nodes()).extracting(NodeEntry::id).containsExactly("s1", "s2", "d1", "d2");
        NodeEntry s2 = v.node("s2").orElseThrow();
        assertThat(s2.sipUri()).as("the operator's URI wins").isEqualTo("sip:127.0.0.1:5082");
        assertThat(s2.weight()).isEqualTo(20);
        assertThat(s2.agent()).isPresent();
        assertThat(v.node("s1").orElseThrow().agent()).isEmpty();
        assertThat(v.node("d1").orElseThrow().fullServices()).containsExactly("conference");
        assertThat(v.addresses()).contains(new InetSocketAddress("127.0.0.1", 5081),
                new InetSocketAddress("127.0.0.1", 5092));
        assertThat(b.configOnly(1).nodes()).extracting(NodeEntry::id).containsExactly("s1", "s2");
    }

    @Test
    void theViewIndexesNodesByIdAndRoomsByTheirHostsInViewOrder() {
        NodeViewBuilder b = new NodeViewBuilder(List.of(new StaticNode("s1", "sip:127.0.0.1:5081", 1)));
        NodeState d1 = new NodeState("d1", "sip:127.0.0.1:5091", NodeStatus.ACTIVE, 0, 10, 0,
                Map.of("example.com:7", 2, "empty", 0), Set.of("A"), Set.of("a"), "", "", 1);
        NodeState d2 = new NodeState("d2", "sip:127.0.0.1:5092", NodeStatus.ACTIVE, 0, 10, 0,
                Map.of("example.com:7", 1, "8", 3), Set.of("A"), Set.of("a"), "", "", 1);
        NodeView v = b.build(List.of(d2, d1), Map.of(), 5, true);
        assertThat(v.byId()).containsOnlyKeys("s1", "d1", "d2");
        assertThat(v.position("d2")).isEqualTo(2);
        assertThat(v.position("nope")).isEqualTo(-1);
        assertThat(v.hostsOf("example.com:7")).extracting(NodeEntry::id).containsExactly("d1", "d2");
        assertThat(v.hostsOf("8")).extracting(NodeEntry::id).containsExactly("d2");
        assertThat(v.hostsOf("empty")).as("a room with no participant has no host").isEmpty();
        assertThat(v.hostsOf("unknown")).isEmpty();
        assertThat(v.hosts()).containsExactly(new InetSocketAddress("127.0.0.1", 1).getAddress());
    }

    @Test
    void sipAddressesParseWithDefaultsAndIpv6() {
        assertThat(SipAddress.parse("sip:10.0.0.1")).isEqualTo(new SipAddress("10.0.0.1", 5060));
        assertThat(SipAddress.parse("sips:node@example.com")).isEqualTo(new SipAddress("example.com", 5061));
        assertThat(SipAddress.parse("sip:[::1]:5080;transport=tcp")).isEqualTo(new SipAddress("::1", 5080));
        assertThat(SipAddress.parse("SIP:127.0.0.1:5081")).isEqualTo(new SipAddress("127.0.0.1", 5081));
        assertThatThrownBy(() -> SipAddress.parse("http://x")).hasMessageContaining("expected: a sip: or sips: URI");
        assertThatThrownBy(() -> SipAddress.parse("sip:h:99999")).hasMessageContaining("1..65535");
    }

    @Test
    void placementCacheKeepsWhatWasLearnedDuringAFullRead() {
        PlacementCache c = new PlacementCache();
        long stamp = c.beginFullRead();
        c.learned("r1", "a");
        c.replaceAll(Map.of("r2", "b"), stamp);
        assertThat(c.lookup("r1")).contains("a");
        assertThat(c.lookup("r2")).contains("b");
        c.released("r2", "x");
        assertThat(c.lookup("r2")).as("a release by another node is ignored").contains("b");
        c.released("r2", "b");
        assertThat(c.lookup("r2")).isEmpty();
        c.replaceAll(Map.of("r3", "c"), c.beginFullRead());
        assertThat(c.lookup("r1")).as("older learned entries give way to the next full read").isEmpty();
        c.decidedLocally("r3", "d");
        assertThat(c.lookup("r3")).contains("d");
        assertThat(c.unreconciled()).containsEntry("r3", "d");
        c.reconciled("r3", "d", "c");
        assertThat(c.lookup("r3")).contains("c");
        assertThat(c.unreconciled()).isEmpty();
    }
}
