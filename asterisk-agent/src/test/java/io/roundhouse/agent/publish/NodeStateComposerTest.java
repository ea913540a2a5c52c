package io.roundhouse.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.agent.ami.AsteriskMirror;
import io.roundhouse.agent.ami.AsteriskSnapshot;
import io.roundhouse.agent.config.NodeSettings;
import io.roundhouse.agent.cpu.AsteriskProcess;
import io.roundhouse.agent.cpu.CpuGauge;
import io.roundhouse.agent.LiveNodeLoad;
import io.roundhouse.agent.state.ServiceReadiness;
import io.roundhouse.shared.state.NodeState;
import io.roundhouse.shared.state.NodeStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeStateComposerTest {

    /** The hands' view: what the ARI side would report. */
    private static final ServiceReadiness ARI = new ServiceReadiness() {
        @Override
        public Set<String> registeredApps() {
            return Set.of("Conference", "Echo");
        }

        @Override
        public Map<String, Integer> rooms() {
            return Map.of("example.com:1000", 3, "1000", 1);
        }

        @Override
        public Set<String> acceptingServices() {
            return Set.of("Conference");
        }
    };

    private final AsteriskMirror mirror = new AsteriskMirror(() -> { });
    private final NodeStateComposer composer = new NodeStateComposer(
            new NodeSettings("asterisk-1", "sip:10.0.0.11:5060", 120, NodeSettings.DEFAULT_PID_FILE),
            new LiveNodeLoad(mirror, new CpuGauge(Path.of("/nonexistent"), new AsteriskProcess(Path.of("/nonexistent"),
                    Path.of("/nonexistent/asterisk.pid"), 5038)), () -> false), mirror, ARI, "1.2.3",
            Clock.fixed(Instant.ofEpochMilli(1_795_439_624_000L), ZoneOffset.UTC));

    private void asteriskUpWithOneCallerInRoom1000() {
        mirror.version("22.10.1");
        mirror.applySnapshot(new AsteriskSnapshot(Set.of("1795439624.4"),
                Optional.of(Map.of("1000", Set.of("1795439624.4")))));
    }

    @Test
    void activeReachableNodePublishesEverythingBothSidesSee() {
        asteriskUpWithOneCallerInRoom1000();
        NodeState s = composer.compose(NodeStatus.ACTIVE);

        assertThat(s.channels()).isEqualTo(1);
        assertThat(s.maxChannels()).isEqualTo(120);
        assertThat(s.rooms()).as("AMI ConfBridge rooms plus ARI rooms").isEqualTo(Map.of("1000", 2, "example.com:1000", 3));
        assertThat(s.apps()).containsExactlyInAnyOrder("Conference", "Echo");
        assertThat(s.accepting()).containsExactly("Conference");
        assertThat(s.asteriskVersion()).isEqualTo("22.10.1");
        assertThat(s.agentVersion()).isEqualTo("1.2.3");
        assertThat(s.updatedAtMillis()).isEqualTo(1_795_439_624_000L);
    }

    @Test
    void unreachableAsteriskIsPublishedAsUnreachableWithItsCountsUnknownNotStale() {
        asteriskUpWithOneCallerInRoom1000();
        mirror.markUnreachable();
        NodeState s = composer.compose(NodeStatus.ACTIVE);

        assertThat(s.status()).isEqualTo(NodeStatus.UNREACHABLE);
        assertThat(s.apps()).isEmpty();
        assertThat(s.accepting()).isEmpty();
        assertThat(s.rooms()).isEmpty();
        assertThat(s.channelsKnown()).isFalse();
        assertThat(s.cpuKnown()).isFalse();
        assertThat(composer.compose(NodeStatus.DRAINING).status()).isEqualTo(NodeStatus.UNREACHABLE);
        assertThat(composer.compose(NodeStatus.DISABLED).status()).as("the operator's word").isEqualTo(NodeStatus.DISABLED);
    }

    @Test
    void noCpuIsPublishedBeforeTheGaugeHasARepresentativeSample() {
        asteriskUpWithOneCallerInRoom1000();
        NodeState s = composer.compose(NodeStatus.ACTIVE);

        assertThat(s.cpuKnown()).isFalse();
        assertThat(s.channelsKnown()).isTrue();
    }

    @Test
    void drainingNodeAcceptsNothingNewButKeepsItsRooms() {
        asteriskUpWithOneCallerInRoom1000();
        NodeState s = composer.compose(NodeStatus.DRAINING);

        assertThat(s.status()).isEqualTo(NodeStatus.DRAINING);
        assertThat(s.accepting()).isEmpty();
        assertThat(s.apps()).containsExactlyInAnyOrder("Conference", "Echo");
        assertThat(s.rooms()).containsEntry("example.com:1000", 3);
    }
}
