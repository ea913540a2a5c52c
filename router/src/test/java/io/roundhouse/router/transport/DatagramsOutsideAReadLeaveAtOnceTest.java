package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.testing.ManualScheduler;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Datagrams the router sends while it handles a read of its UDP socket are flushed together when the read ends; those
 * it sends at any other time (a timer, a task from another thread) must leave at once, with no datagram arriving to end
 * a read. Time stands still here (a manual scheduler): only what the test triggers is sent.
 */
@Timeout(30)
class DatagramsOutsideAReadLeaveAtOnceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final SipTestAgent caller = SipTestAgent.start();
    private final SipTestAgent node = SipTestAgent.start();
    private Router router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        caller.close();
        node.close();
    }

    /** Default T1 (500 ms); failover after 10 s, which no test lets pass. */
    private static RouterConfig config(String... nodeUris) {
        StringBuilder yaml = new StringBuilder("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  timers: { failover-timeout: 10s }
                nodes:
                """);
        for (int i = 0; i < nodeUris.length; i++) {
            yaml.append("  - { id: node-").append(i + 1).append(", uri: \"").append(nodeUris[i]).append("\" }\n");
        }
        return RouterConfig.parse(yaml.toString());
    }

    private void start(RouterConfig config, Dispatcher dispatcher) {
        router = Router.start(config, dispatcher, new SimpleMeterRegistry(), loop -> scheduler);
    }

    private void call() {
        caller.send(caller.request("INVITE", "sip:1000@127.0.0.1:" + router.port()).build(),
                new InetSocketAddress("127.0.0.1", router.port()), Transport.UDP);
    }

    @Test
    void anInviteRetransmittedByTimerALeavesWithNoDatagramArriving() throws Exception {
        node.uas(UasBehavior.silent());
        RouterConfig config = config(node.uri(Transport.UDP));
        start(config, new StaticRoundRobinDispatcher(config.nodes()));
        call();
        node.awaitRequest("INVITE", WAIT);

        router.runOnEventLoop(() -> scheduler.advance(Duration.ofMillis(500))); // §17.1.1.2: Timer A fires at T1

        node.awaitRequest("INVITE", WAIT);
    }

    @Test
    void anInviteSentWhenTheDispatcherAnswersFromItsOwnThreadLeavesAtOnce() throws Exception {
        node.uas(UasBehavior.answer());
        RouterConfig config = config(node.uri(Transport.UDP));
        Dispatcher roundRobin = new StaticRoundRobinDispatcher(config.nodes());
        CompletableFuture<CallContext> asked = new CompletableFuture<>();
        CompletableFuture<Optional<DispatchTarget>> answer = new CompletableFuture<>();
        start(config, new Dispatcher() {
            @Override
            public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
                asked.complete(call);
                return answer;
            }

            @Override
            public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                                  AttemptOutcome outcome) {
                return CompletableFuture.completedFuture(Optional.empty());
            }

            @Override
            public boolean isFromNode(InetSocketAddress source) {
                return roundRobin.isFromNode(source);
            }
        });
        call();
        CallContext context = asked.get(5, TimeUnit.SECONDS);
        caller.awaitResponse(100, WAIT);

        answer.complete(roundRobin.select(context).toCompletableFuture().join()); // on this thread, not the loop's

        node.awaitRequest("INVITE", WAIT);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }

    @Test
    void aDatagramTheKernelRefusesInABatchStillFailsTheCallOverToTheNextNode() throws Exception {
        node.uas(UasBehavior.answer());
        // A socket bound to 127.0.0.1 cannot send off the host: sendto(2) fails at once (EINVAL), nothing leaves.
        // The INVITE to it is written in the same read as the 100 Trying: the failure must still reach its client
        // transaction, a transport error that fails over at once (RFC 3261 §17.1.4, §16.7 item 6).
        RouterConfig config = config("sip:192.0.2.1:5060", node.uri(Transport.UDP));
        start(config, new StaticRoundRobinDispatcher(config.nodes()));
        call();
        caller.awaitResponse(100, WAIT);

        router.runOnEventLoop(() -> scheduler.advance(Duration.ZERO)); // the transport error is reported as a task

        node.awaitRequest("INVITE", WAIT);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }
}
