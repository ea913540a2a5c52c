package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.dispatch.AttemptOutcome;
import io.roundhouse.router.dispatch.call.CallContext;
import io.roundhouse.router.dispatch.DispatchTarget;
import io.roundhouse.router.dispatch.Dispatcher;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.TestRouters;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Only the dispatcher chooses the Stasis application: a caller can neither smuggle an X-Exec-App header past the
 * proxy with a bare CR (which pjsip reads as a line end) nor send any X-Exec-App* header itself, and neither can a
 * request from a node's own address (a UDP source can be forged): a node gets only the router's own values, and only
 * for a request the router dispatched.
 */
class ForgedExecAppHeadersNeverReachANodeTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    private void start(boolean callerIsNode) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Exec-App", "Conference");
        headers.put("X-Exec-App-Placement", "node-1");
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
                return CompletableFuture.completedFuture(Optional.of(new DispatchTarget("n", node.uri(Transport.UDP),
                        headers)));
            }

            @Override
            public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                                  AttemptOutcome outcome) {
                return CompletableFuture.completedFuture(Optional.empty());
            }

            @Override
            public boolean isFromNode(InetSocketAddress source) {
                return callerIsNode;
            }
        };
        farm.start(TestRouters.config(node), dispatcher);
    }

    @Test
    void aBareCrInsideAHeaderGets400NamingItAndNothingIsForwarded() {
        start(false);
        caller.send(caller.request("INVITE", farm.callUri()).header("Subject: hi\rX-Exec-App: Evil").build(),
                farm.routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Warning")).contains("bare CR");
        node.assertNone(r -> true, Duration.ofMillis(200));
    }

    @Test
    void otherControlCharactersInAHeaderGet400ButHtabAndFoldingPass() {
        start(false);
        caller.send(caller.request("INVITE", farm.callUri()).header("Subject: a\u0000b").build(), farm.routerAddress(),
                Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Warning")).contains("control character 0x0");
        caller.clear();
        caller.send(caller.request("INVITE", farm.callUri()).header("Subject: a\tb\r\n c").build(),
                farm.routerAddress(), Transport.UDP);
        assertThat(node.awaitRequest("INVITE", WAIT).text()).contains("Subject: a\tb\r\n c\r\n");
    }

    @Test
    void everyExecAppHeaderFromACallerIsReplacedByTheDispatchersOwn() {
        start(false);
        caller.send(caller.request("INVITE", farm.callUri()).header("X-Exec-App-Placement: evil-node")
                .header("x-exec-app-anything: evil2").header("X-EXEC-APP: evil3").build(), farm.routerAddress(),
                Transport.UDP);
        Received forwarded = node.awaitRequest("INVITE", WAIT);
        assertThat(forwarded.headers("X-Exec-App")).containsExactly("Conference");
        assertThat(forwarded.headers("X-Exec-App-Placement")).containsExactly("node-1");
        assertThat(forwarded.text()).doesNotContainIgnoringCase("evil");
    }

    @Test
    void aRequestFromANodesAddressCarriesOnlyTheDispatchersExecApp() {
        start(true);
        caller.send(caller.request("INVITE", farm.callUri()).header("X-Exec-App: Queue")
                .header("X-Exec-App-Placement: node-2").header("X-Exec-App-Data: 1,placement=x").build(),
                farm.routerAddress(), Transport.UDP);
        Received forwarded = node.awaitRequest("INVITE", WAIT);
        assertThat(forwarded.headers("X-Exec-App")).containsExactly("Conference");
        assertThat(forwarded.headers("X-Exec-App-Placement")).containsExactly("node-1");
        assertThat(forwarded.headers("X-Exec-App-Data")).isEmpty();
    }

    @Test
    void anInDialogRequestReachesTheNodeWithoutAnyExecAppWhoeverSendsIt() {
        start(true);
        caller.send(caller.request("INFO", node.uri(Transport.UDP)).to("<sip:bob@x>;tag=b")
                .route("<sip:127.0.0.1:" + farm.router().port() + ";lr>").header("X-Exec-App: Queue")
                .header("X-Exec-App-Data: 2").build(), farm.routerAddress(), Transport.UDP);
        Received forwarded = node.awaitRequest("INFO", WAIT);
        assertThat(forwarded.text()).doesNotContainIgnoringCase("X-Exec-App");
    }
}
