package io.roundhouse.shared.state;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The line format of events on the channel, as documented in docs/redis-state.md. */
class StateEventWireTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "node-up asterisk-1", "node-down asterisk-1", "node-draining asterisk-1",
            "room-placed example.com:1000 asterisk-2", "room-moved example.com:1000 asterisk-3",
            "room-released example.com:1000 asterisk-3"})
    void everyDocumentedLineParsesAndPrintsBackTheSame(String line) {
        StateEvent e = StateEvent.fromWire(line);
        assertThat(e.toWire()).isEqualTo(line);
        if (e.type().isNodeEvent()) {
            assertThat(e.subject()).isEqualTo(e.nodeId());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "node-up", "node-up a b", "room-placed k", "room-placed k n extra",
            "NODE_UP a", "node-up  a", "room-moved k  n"})
    void aLineOutsideTheFormatIsAnErrorQuotingIt(String line) {
        assertThatThrownBy(() -> StateEvent.fromWire(line)).isInstanceOf(IllegalArgumentException.class);
    }
}
