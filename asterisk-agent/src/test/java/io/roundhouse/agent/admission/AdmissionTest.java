package io.roundhouse.agent.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.agent.state.SettableLoad;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(5)
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

    /** max-channels N with one channel per call: what the node publishes and what it answers agree at N-1, N, N+1. */
    @ParameterizedTest(name = "{0} other channels, max-channels 2: admitted {1}")
    @CsvSource({"1, true", "2, false", "3, false"})
    void theAnswerToACallIsWhatTheNodePublishedJustBeforeIt(int channelsBefore, boolean admitted) {
        Admission echo = new Admission("Echo", new AdmissionThresholds(2, 80, 200), load);
        load.channels = channelsBefore;
        boolean published = echo.newWork(0).admitted();

        load.channels = channelsBefore + 1; // the call's own channel, as AMI shows it when StasisStart arrives
        load.channelIds.add("1795439762.7");

        assertThat(published).isEqualTo(admitted);
        assertThat(echo.newWork(0, "1795439762.7").admitted()).isEqualTo(admitted);
    }

    @Test
    void theIncomingChannelIsNotCountedWhetherOrNotAmiReportedItYet() {
        Admission conference = new Admission("Conference", new AdmissionThresholds(1, 80, 200), load);

        assertThat(conference.newWork(0, "1795439762.8").admitted()).as("Newchannel not in yet").isTrue();
        load.channels = 1;
        load.channelIds.add("1795439762.8");
        assertThat(conference.newWork(0, "1795439762.8").admitted()).as("Newchannel in").isTrue();
        assertThat(conference.newWork(0, "1795439762.9").admitted()).as("another call's channel counts").isFalse();
    }

    @ParameterizedTest(name = "{0} participants, max-participants-per-node 3: admitted {1}")
    @CsvSource({"2, true", "3, false", "4, false"})
    void maxParticipantsPerNodeIsTheNumberOfCallsTaken(int participantsBefore, boolean admitted) {
        Admission echo = new Admission("Echo", new AdmissionThresholds(150, 80, 3), load);

        assertThat(echo.newWork(participantsBefore).admitted()).isEqualTo(admitted);
        assertThat(echo.newWork(participantsBefore, "1795439762.7").admitted()).isEqualTo(admitted);
        assertThat(echo.join(participantsBefore).admitted()).isEqualTo(admitted);
    }

    @Test
    void noNewWorkBeforeTheCpuGaugeHasARepresentativeSample() {
        load.cpuKnown = false;

        assertThat(admission.newWork(0).reason()).contains("no representative CPU sample");
        assertThat(admission.join(0).admitted()).isTrue();
    }

    @Test
    void withCpuAdmissionOffANodeAtFullCpuOrWithoutASampleStillTakesNewWork() {
        Admission echo = new Admission("Echo", new AdmissionThresholds(2, OptionalDouble.empty(), 200), load);
        load.cpu = 100;
        assertThat(echo.newWork(0).admitted()).isTrue();
        assertThat(echo.newWork(0).reason()).contains("cpu off");

        load.cpuKnown = false;
        assertThat(echo.newWork(0).admitted()).isTrue();

        load.channels = 2;
        assertThat(echo.newWork(0).reason()).contains("channels 2 >= max 2");
    }
}
