package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Datagrams the router sends while it handles a read of its UDP socket are flushed together when the read ends; those
 * it sends at any other time (a timer, a task from another thread) must leave at once, with no datagram arriving to end
 * a read. Time stands still here (a manual scheduler): only what the test triggers is sent.
 */
@Timeout(30)
class DatagramsOutsideAReadLeaveAtOnceTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1).timersOnManualClock();
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node();

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

    @Test
    void anInviteRetransmittedByTimerALeavesWithNoDatagramArriving() throws Exception {
        node.uas(UasBehavior.silent());
        RouterConfig config = config(node.uri(Transport.UDP));
        farm.start(config);
        farm.invite();
        node.awaitRequest("INVITE", WAIT);

        farm.advance(Duration.ofMillis(500)); // §17.1.1.2: Timer A fires at T1

        node.awaitRequest("INVITE", WAIT);
    }

    @Test
    void anInviteSentWhenTheDispatcherAnswersFromItsOwnThreadLeavesAtOnce() throws Exception {
        node.uas(UasBehavior.answer());
        RouterConfig config = config(node.uri(Transport.UDP));
        Dispatcher roundRobin = new StaticRoundRobinDispatcher(config.nodes());
        CompletableFuture<CallContext> asked = new CompletableFuture<>();
        CompletableFuture<Optional<DispatchTarget>> answer = new CompletableFuture<>();
        farm.start(config, new Dispatcher() {
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
        farm.invite();
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
        farm.start(config);
        farm.invite();
        caller.awaitResponse(100, WAIT);

        farm.advance(Duration.ZERO); // the transport error is reported as a task

        node.awaitRequest("INVITE", WAIT);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }
}
