package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A port for new calls read by a thread of its own, the door (docs/security.md, "A port for new calls"): while the
 * router sheds, a new INVITE there is answered 503 by the door even when the event loop is busy, so a flood of new
 * calls is answered as it comes and the loop keeps its time for the calls it admitted; what the door admits, and the
 * retransmissions of it, go on to the loop. The router is held at its limit of calls in progress (one call that rings
 * forever, sent to the port for new calls), so every new INVITE is shed; the loop is held busy by a task that waits.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ThePortForNewCallsShedsBesideTheLoopTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.ringForever());
    private final CountDownLatch loopReleased = new CountDownLatch(1);
    private Router router;
    private RequestBuilder admitted;
    private Received admittedRinging;

    private void start(boolean newCallThread) {
        start("{ max-calls-in-progress: 1, new-call-thread: %s }".formatted(newCallThread));
        admitted = invite("admitted");
        caller.send(admitted.build(), forNewCalls(), Transport.UDP);
        admittedRinging = caller.await(r -> r.status() == 180 && r.callId().equals("admitted"), WAIT);
        caller.clear();
    }

    /** T1 is 50 ms: a new call may wait at the door 25 ms. */
    private void start(String overload) {
        router = farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "udp:127.0.0.2:0" ]
                  timers: { t1: 50ms, timer-c: 20s, failover-timeout: 10s }
                  flood: { exempt: [ "127.0.0.1" ] }
                  overload: %s
                nodes:
                  - { id: node-1, uri: "%s" }
                """.formatted(overload, node.uri(Transport.UDP))));
    }

    @AfterEach
    void releaseTheLoop() {
        loopReleased.countDown();
    }

    @Test
    void aNewCallIsAnswered503ByTheDoorWhileTheEventLoopIsBusy() throws Exception {
        start(true);
        CompletableFuture<Void> held = holdTheLoop();

        caller.send(invite("shed").build(), forNewCalls(), Transport.UDP);

        Received response = finalResponse("shed");
        assertThat(held).as("the loop is still held").isNotDone();
        assertThat(response.status()).isEqualTo(503);
        assertThat(response.source()).isEqualTo(forNewCalls());
        assertThat(response.header("To")).contains(";tag=rhsl.");
        assertThat(router.shedRequests()).isEqualTo(1);
    }

    @Test
    void withoutTheDoorTheSameCallWaitsForTheEventLoop() throws Exception {
        start(false);
        CompletableFuture<Void> held = holdTheLoop();

        caller.send(invite("shed").build(), forNewCalls(), Transport.UDP);

        caller.assertNone(r -> r.callId().equals("shed"), Duration.ofMillis(500));
        loopReleased.countDown();
        held.get(5, TimeUnit.SECONDS);
        assertThat(finalResponse("shed").status()).isEqualTo(503);
    }

    @Test
    void theAckOfTheDoors503IsAbsorbedThereWhileTheEventLoopIsBusy() throws Exception {
        start(true);
        CompletableFuture<Void> held = holdTheLoop();
        RequestBuilder shed = invite("shed");
        caller.send(shed.build(), forNewCalls(), Transport.UDP);
        String toTag = finalResponse("shed").header("To").replaceAll(".*;tag=", "");

        caller.send(caller.request("ACK", farm.callUri()).callId("shed").branch(shed.branch())
                .to("<" + farm.callUri() + ">;tag=" + toTag).cseqMethod("ACK").build(), forNewCalls(),
                Transport.UDP);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (farm.registry().counter("sip.acks.absorbed").count() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(farm.registry().counter("sip.acks.absorbed").count()).isEqualTo(1);
        assertThat(held).as("the loop is still held").isNotDone();
    }

    @Test
    void theCallTheDoorAdmittedGoesOnAndItsAnswersLeaveFromThePortForNewCalls() {
        start(true);

        assertThat(admittedRinging.source()).isEqualTo(forNewCalls());
        assertThat(node.all(r -> r.isRequest() && r.callId().equals("admitted"))).hasSize(1);
        assertThat(router.shedRequests()).isZero();
    }

    @Test
    void aRetransmissionOfTheCallTheDoorAdmittedIsNotShedWhileShedding() {
        start(true);

        caller.send(admitted.build(), forNewCalls(), Transport.UDP);

        // §17.2.1: the server transaction sends its last provisional response again; the door let it through.
        Received again = caller.await(r -> !r.isRequest() && r.callId().equals("admitted"), WAIT);
        assertThat(again.status()).isEqualTo(180);
        caller.send(invite("shed").build(), forNewCalls(), Transport.UDP);
        assertThat(finalResponse("shed").status()).as("the router is shedding").isEqualTo(503);
        assertThat(router.shedRequests()).isEqualTo(1);
        assertThat(node.all(r -> r.isRequest() && r.method().equals("INVITE"))).hasSize(1);
    }

    @Test
    void notOverloadedNewCallsWaitAtTheDoorForABusyLoopAndNoneIsRefused() throws Exception {
        start("{ new-call-thread: true }"); // the guard sheds nothing; new calls wait at the door past its hold
        CompletableFuture<Void> held = holdTheLoop();

        for (int i = 0; i < 40; i++) {
            caller.send(invite("call-" + i).build(), forNewCalls(), Transport.UDP);
        }
        caller.assertNone(r -> true, Duration.ofMillis(300));
        loopReleased.countDown();
        held.get(5, TimeUnit.SECONDS);

        for (int i = 0; i < 40; i++) {
            caller.await(r -> r.status() == 180, WAIT); // the node rings for every call
        }
        assertThat(caller.all(r -> r.status() == 503)).isEmpty();
        assertThat(router.shedRequests()).isZero();
    }

    /** Occupies the event loop until the test ends (or {@link #loopReleased} is counted down). */
    private CompletableFuture<Void> holdTheLoop() throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
            try {
                router.runOnEventLoop(() -> {
                    running.countDown();
                    try {
                        loopReleased.await(8, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).as("the loop took the task").isTrue();
        return held;
    }

    private InetSocketAddress forNewCalls() {
        return router.boundAddresses().get(1);
    }

    private Received finalResponse(String callId) {
        return caller.await(r -> !r.isRequest() && r.status() >= 200 && r.callId().equals(callId)
                && r.cseqMethod().equals("INVITE"), WAIT);
    }

    private RequestBuilder invite(String callId) {
        return caller.request("INVITE", "sip:1000@" + forNewCalls().getHostString() + ":" + forNewCalls().getPort())
                .callId(callId);
    }
}
