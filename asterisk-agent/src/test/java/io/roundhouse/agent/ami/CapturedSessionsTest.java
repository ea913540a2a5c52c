package io.roundhouse.agent.ami;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.agent.config.AmiSettings;
import io.roundhouse.agent.fakes.ami.AsteriskFixtures;
import io.roundhouse.agent.fakes.ami.FakeAmiServer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every AMI session captured on Asterisk 22.10.1, replayed event by event: the mirror follows each call up and down and
 * ends where the real node ended, idle (every captured session ends after its calls hung up).
 */
class CapturedSessionsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "ami-events-confbridge-call.txt, 1, 1",
            "ami-events-confbridge-2calls.txt, 2, 2",
            "ami-events-stasis-call.txt, 1, 1",
            "ami-events-ari-bounce-congestion.txt, 1, 0",
            "ami-events-no-exec-app-header.txt, 1, 0",
            "ami-events-app-not-connected.txt, 1, 0",
            "ami-events-app-unknown.txt, 1, 0",
            "ami-events-app-not-connected-other-app-present.txt, 1, 0",
    })
    void mirrorFollowsTheCapturedSessionAndEndsIdle(String session, int peakChannels, int peakParticipants)
            throws Exception {
        AtomicReference<AsteriskMirror> ref = new AtomicReference<>();
        AtomicInteger channelPeak = new AtomicInteger();
        AtomicInteger participantPeak = new AtomicInteger();
        AsteriskMirror mirror = new AsteriskMirror(() -> {
            AsteriskMirror m = ref.get();
            channelPeak.accumulateAndGet(m.channels(), Math::max);
            participantPeak.accumulateAndGet(m.rooms().values().stream().mapToInt(Integer::intValue).sum(), Math::max);
        });
        ref.set(mirror);
        try (FakeAmiServer fake = FakeAmiServer.start("roundhouse", "s3cret");
             AmiLink link = new AmiLink(new AmiSettings("127.0.0.1", fake.port(), "roundhouse", "s3cret",
                     Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(400)),
                     mirror, new SimpleMeterRegistry())) {
            link.start();
            await().atMost(Duration.ofSeconds(5)).until(mirror::reachable);

            fake.inject(AsteriskFixtures.sessionEvents(session));

            await().atMost(Duration.ofSeconds(2)).until(() -> channelPeak.get() == peakChannels
                    && mirror.channels() == 0 && mirror.rooms().isEmpty());
            assertThat(participantPeak.get()).isEqualTo(peakParticipants);
            assertThat(link.corrections()).isZero();
        }
    }
}
