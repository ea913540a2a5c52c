package io.roundhouse.sim.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo's table tells a decision's story in the fields an operator reads first. */
@Timeout(10)
class FarmTableTest {

    @Test
    void decisionLineIsCondensedToServiceKeyNodeReasonAttemptAndExclusions() {
        String line = "dispatch call-id=a84b4c76e66710 service=conference key=example.com:1000 node=asterisk-2"
                + " reason=affinity-claimed attempt=2 candidates=[asterisk-2:0.120,asterisk-1:0.410]"
                + " score=\"load (lower is better)\" excluded=[asterisk-3:placed-but-bounced-503] at=1764096000000";

        assertThat(FarmTable.condensed(line)).isEqualTo("service=conference key=example.com:1000 node=asterisk-2"
                + " reason=affinity-claimed attempt=2 excluded=[asterisk-3:placed-but-bounced-503]");
    }

    @Test
    void emptyExclusionsAreLeftOut() {
        assertThat(FarmTable.condensed("service=sales node=asterisk-1 reason=strategy attempt=1 excluded=[]"))
                .isEqualTo("service=sales node=asterisk-1 reason=strategy attempt=1");
    }
}
