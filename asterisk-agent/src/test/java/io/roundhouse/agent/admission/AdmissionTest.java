package io.roundhouse.agent.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.agent.state.SettableLoad;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    private final SettableLoad load = new SettableLoad();
    private final Admission admission = new Admission("Conference", new AdmissionThresholds(150, 80, 200), load);

    @Test
    void admitsNewWorkOnlyUnderEveryThreshold() {
        load.channels = 149;
        load.cpu = 79.9;
        assertThat(admission.newWork(199).admitted()).isTrue();

        load.channels = 150;
        assertThat(admission.newWork(0)).satisfies(d -> {
            assertThat(d.admitted()).isFalse();
            assertThat(d.reason()).contains("channels 150 >= max 150");
        });

        load.channels = 10;
        load.cpu = 80;
        assertThat(admission.newWork(0).reason()).contains("cpu 80.0 >= max 80.0");

        load.cpu = 10;
        assertThat(admission.newWork(200).admitted()).isFalse();
    }

    @Test
    void refusesNewWorkWhileAsteriskIsUnreachableBecauseItsLoadIsUnknown() {
        load.reachable = false;

        Decision decision = admission.newWork(0);

        assertThat(decision.admitted()).isFalse();
        assertThat(decision.reason()).contains("not reachable");
    }

    @Test
    void admitsJoinsToHostedRoomsOnAnOverloadedNodeUpToTheHardLimit() {
        load.channels = 1000;
        load.cpu = 99;

        assertThat(admission.join(199).admitted()).isTrue();
        assertThat(admission.join(200).admitted()).isFalse();
        assertThat(admission.join(200).reason()).contains("max-participants-per-node 200");
    }

    @Test
    void aDrainingNodeTakesNoNewWorkButStillTakesJoinsToItsRooms() {
        load.draining = true;

        assertThat(admission.newWork(0).admitted()).isFalse();
        assertThat(admission.newWork(0).reason()).contains("draining");
        assertThat(admission.join(0).admitted()).isTrue();
    }
}
