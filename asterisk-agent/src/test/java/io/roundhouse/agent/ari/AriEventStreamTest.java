package io.roundhouse.agent.ari;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.agent.fakes.ari.AriEventFrames;
import io.roundhouse.agent.fakes.ari.FakeAriRest;
import io.roundhouse.agent.fakes.ari.FakeAriWebSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AriEventStreamTest {

    private final FakeAriWebSocket asterisk = new FakeAriWebSocket(FakeAriRest.USER, FakeAriRest.PASSWORD);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<AriEvent> events = new LinkedBlockingQueue<>();
    private final AtomicInteger changes = new AtomicInteger();
    private AriEventStream stream;

    @BeforeEach
    void noStreamYet() {
        stream = null;
    }

    @AfterEach
    void stop() {
        if (stream != null) {
            stream.close();
        }
        scheduler.shutdownNow();
        asterisk.close();
    }

    private AriEventStream connect(String password) {
        return connect(password, Duration.ofSeconds(1));
    }

    private AriEventStream connect(String password, Duration pingInterval) {
        AriSettings settings = new AriSettings(URI.create("http://127.0.0.1:" + asterisk.port() + "/"),
                FakeAriRest.USER, password, List.of("Conference", "Echo"), Duration.ofMillis(50),
                Duration.ofMillis(400), pingInterval);
        stream = new AriEventStream(settings, scheduler, new AriEventStream.Listener() {
            @Override
            public void onEvent(AriEvent event) {
                events.add(event);
            }

            @Override
            public void onRegisteredAppsChanged(Set<String> registeredApps) {
                changes.incrementAndGet();
            }
        });
        stream.start();
        return stream;
    }

    @Test
    void registersEveryConfiguredAppOnOneAuthenticatedWebSocket() {
        connect(FakeAriRest.PASSWORD);

        await().atMost(Duration.ofSeconds(5)).until(() -> !stream.registeredApps().isEmpty());
        assertThat(stream.registeredApps()).containsExactlyInAnyOrder("Conference", "Echo");
        assertThat(asterisk.handshakes()).containsExactly("/ari/events?app=Conference,Echo");
        assertThat(changes.get()).isPositive();
    }

    @Test
    void droppedWebSocketEmptiesRegisteredAppsWithinOneSecondThenReconnects() {
        connect(FakeAriRest.PASSWORD);
        await().atMost(Duration.ofSeconds(5)).until(() -> asterisk.connected() == 1 && !stream.registeredApps().isEmpty());
        int changesBefore = changes.get();

        long dropped = System.nanoTime();
        asterisk.drop(); // like `core stop now`: TCP close, no close frame
        // The apps empty first, then the publisher is told: wait for both, within the router's second.
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> stream.registeredApps().isEmpty() && changes.get() > changesBefore);
        long emptyAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dropped);
        assertThat(emptyAfterMs).isLessThan(1000);

        await().atMost(Duration.ofSeconds(5)).until(() -> stream.registeredApps().size() == 2);
        assertThat(asterisk.handshakes()).hasSize(2);
    }

    @Test
    void aSilentAsteriskIsDeclaredGoneWhenAPingGoesUnansweredForOneInterval() {
        connect(FakeAriRest.PASSWORD, Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(5)).until(() -> asterisk.connected() == 1 && stream.registeredApps().size() == 2);
        asterisk.refuse(true); // and no new connection succeeds, so the apps stay unregistered

        asterisk.silent(true); // socket open, pings unanswered: TCP alone would not notice
        long silentAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
                .until(() -> stream.registeredApps().isEmpty());

        // A ping goes out at most one interval after silence begins and is given one interval to be answered:
        // about 400 ms here, well within the second the router allows.
        assertThat(Duration.ofNanos(System.nanoTime() - silentAt)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void staysUnregisteredWhileAsteriskRefusesAndBacksOffThenRecovers() {
        connect(FakeAriRest.PASSWORD);
        await().atMost(Duration.ofSeconds(5)).until(() -> asterisk.connected() == 1);
        asterisk.refuse(true);
        int attemptsBefore = asterisk.connectionAttempts();
        asterisk.drop();
        await().atMost(Duration.ofSeconds(1)).until(() -> stream.registeredApps().isEmpty());

        // 50, 100, 200 ms: three more attempts against the refusing server, none of them registering anything.
        await().atMost(Duration.ofSeconds(3)).until(() -> asterisk.connectionAttempts() >= attemptsBefore + 3);
        assertThat(stream.registeredApps()).isEmpty();
        assertThat(asterisk.handshakes()).hasSize(1);

        asterisk.refuse(false);
        // Backoff is capped at 400 ms here, so the next attempt comes within that.
        await().atMost(Duration.ofSeconds(3)).until(() -> stream.registeredApps().size() == 2);
    }

    @Test
    void wrongPasswordNeverRegistersAnApp() {
        connect("wrong-password");

        await().atMost(Duration.ofSeconds(3)).until(() -> asterisk.connectionAttempts() >= 3); // retried with backoff
        assertThat(stream.registeredApps()).isEmpty();
        assertThat(asterisk.handshakes()).isEmpty();
    }

    @Test
    void deliversCapturedStasisStartWithChannelAndArgs() throws InterruptedException {
        connect(FakeAriRest.PASSWORD);
        await().atMost(Duration.ofSeconds(5)).until(() -> asterisk.connected() == 1);

        asterisk.send("not json at all");
        asterisk.send(AriEventFrames.stasisStart("Conference", "1795439762.42", "2000"));
        AriEvent event = events.poll(5, TimeUnit.SECONDS);

        assertThat(event).isNotNull();
        assertThat(event.type()).isEqualTo("StasisStart");
        assertThat(event.application()).isEqualTo("Conference");
        assertThat(event.channelId()).isEqualTo("1795439762.42");
        assertThat(event.channelState()).isEqualTo("Ring");
        assertThat(event.args()).containsExactly("2000");
        assertThat(stream.registeredApps()).hasSize(2); // the bad frame was dropped, the socket kept
    }

    @Test
    void applicationReplacedUnregistersOnlyThatApp() {
        connect(FakeAriRest.PASSWORD);
        await().atMost(Duration.ofSeconds(5)).until(() -> stream.registeredApps().size() == 2);

        asterisk.send(AriEventFrames.applicationReplaced("Conference"));

        await().atMost(Duration.ofSeconds(2)).until(() -> stream.registeredApps().equals(Set.of("Echo")));
        assertThat(events).isEmpty();
    }
}
