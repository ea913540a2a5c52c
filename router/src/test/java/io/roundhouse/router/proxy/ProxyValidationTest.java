package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** §16.3 request validation (483, 482, 400), unparseable input, and the X-Exec-App rules of the dispatch seam. */
class ProxyValidationTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @Test
    void maxForwardsZeroGets483AndNothingIsForwarded() {
        farm.start();
        caller.send(caller.request("INVITE", farm.callUri()).maxForwards("0").build(), farm.routerAddress(),
                Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(483);
        node.assertNone(r -> true, Duration.ofMillis(200));
    }

    @Test
    void missingMaxForwardsIsAddedAs70AndLeadingZerosAreRead() {
        farm.start();
        caller.send(caller.request("INVITE", farm.callUri()).maxForwards(null).build(), farm.routerAddress(),
                Transport.UDP);
        assertThat(node.awaitRequest("INVITE", WAIT).header("Max-Forwards")).isEqualTo("70");
        caller.send(caller.request("INVITE", farm.callUri()).maxForwards("0005").build(), farm.routerAddress(),
                Transport.UDP);
        assertThat(node.awaitRequest("INVITE", WAIT).header("Max-Forwards")).isEqualTo("4");
    }

    @Test
    void aRequestThatComesBackUnchangedIsALoopAndGets482() {
        AtomicReference<String> self = new AtomicReference<>();
        Dispatcher toItself = new Dispatcher() {
            @Override
            public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
                return CompletableFuture.completedFuture(Optional.of(new DispatchTarget("self", self.get(), Map.of())));
            }

            @Override
            public CompletionStage<Optional<DispatchTarget>> next(CallContext call, DispatchTarget failed,
                                                                  AttemptOutcome outcome) {
                return CompletableFuture.completedFuture(Optional.empty());
            }

            @Override
            public boolean isFromNode(InetSocketAddress source) {
                return false;
            }
        };
        farm.start(TestRouters.config(node), toItself);
        self.set("sip:127.0.0.1:" + farm.router().port());
        caller.send(caller.request("INVITE", farm.callUri()).build(), farm.routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(482);
    }

    @Test
    void aRequestThatPassedUsBeforeWithAnotherRequestUriIsASpiralNotALoop() {
        farm.start();
        // Our Via from an earlier pass, whose branch hash was computed over another Request-URI (§16.3 item 4).
        String invite = caller.request("INVITE", farm.callUri()).build().replaceFirst("(Via: [^\r]*\r\n)",
                "$1Via: SIP/2.0/UDP 127.0.0.1:" + farm.router().port() + ";branch=" + Branches.PREFIX
                        + "0123abcd.0\r\nVia: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKupstream\r\n");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
        assertThat(node.awaitRequest("INVITE", WAIT).headers("Via")).hasSize(4);
    }

    @Test
    void aRequestWithoutCallIdGets400NamingTheDefect() {
        farm.start();
        String invite = caller.request("INVITE", farm.callUri()).build().replaceFirst("Call-ID: [^\r]*\r\n", "");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Warning")).contains("missing Call-ID");
        assertThat(farm.router().badRequests()).isEqualTo(1);
    }

    @Test
    void aContentLengthLargerThanTheDatagramGets400() {
        farm.start();
        String invite = caller.request("INVITE", farm.callUri()).body("v=0\r\n").build()
                .replace("Content-Length: 5", "Content-Length: 500");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        Received bad = caller.awaitFinal(WAIT);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("Warning")).contains("Content-Length 500 exceeds");
    }

    @Test
    void aMismatchedCSeqMethodGets400() {
        farm.start();
        caller.send(caller.request("INVITE", farm.callUri()).cseqMethod("BYE").build(), farm.routerAddress(),
                Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).header("Warning")).contains("CSeq method BYE does not match INVITE");
    }

    @Test
    void garbageAndMessagesWithoutViaAreDroppedAndCounted() {
        farm.start();
        caller.sendBytes("hello world\r\n\r\n".getBytes(StandardCharsets.US_ASCII), farm.routerAddress(),
                Transport.UDP);
        caller.send(caller.request("INVITE", farm.callUri()).build().replaceFirst("Via: [^\r]*\r\n", ""),
                farm.routerAddress(), Transport.UDP);
        await().atMost(WAIT).until(() -> farm.router().droppedMessages() == 2);
        caller.assertNone(r -> true, Duration.ofMillis(200));
        // The router still serves calls.
        caller.send(caller.request("INVITE", farm.callUri()).build(), farm.routerAddress(), Transport.UDP);
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }

    @Test
    void anOversizedMessageIsDroppedOverUdpAndClosesTheConnectionOverTcp() {
        farm.start(TestRouters.config(node).withMaxMessageSize(4096));
        String big = caller.request("INVITE", farm.callUri()).body("a=" + "x".repeat(5000) + "\r\n").build();
        caller.send(big, farm.routerAddress(), Transport.UDP);
        await().atMost(WAIT).until(() -> farm.router().droppedMessages() == 1);
        String bigTcp = caller.request("INVITE", farm.callUri()).transport(Transport.TCP)
                .body("a=" + "x".repeat(5000) + "\r\n").build();
        io.netty.channel.Channel connection = caller.connection(farm.routerAddress());
        caller.send(bigTcp, farm.routerAddress(), Transport.TCP);
        await().atMost(WAIT).until(() -> farm.router().droppedMessages() == 2);
        await().atMost(WAIT).until(() -> !connection.isActive());
        node.assertNone(r -> true, Duration.ofMillis(100));
    }

    @Test
    void execAppHeadersFromOutsideAreReplacedByTheDispatchersOwn() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Exec-App", "Conference");
        headers.put("X-Exec-App-Data", "1000");
        Dispatcher withApp = new Dispatcher() {
            @Override
            public CompletionStage<Optional<DispatchTarget>> select(CallContext call) {
                assertThat(call.requestUriUser()).isEqualTo("1000");
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
                return false;
            }
        };
        farm.start(TestRouters.config(node), withApp);
        caller.send(caller.request("INVITE", farm.callUri()).header("X-Exec-App: Evil")
                .header("x-exec-app-data: pwned").build(), farm.routerAddress(), Transport.UDP);
        Received forwarded = node.awaitRequest("INVITE", WAIT);
        assertThat(forwarded.headers("X-Exec-App")).containsExactly("Conference");
        assertThat(forwarded.headers("X-Exec-App-Data")).containsExactly("1000");
        assertThat(forwarded.text()).doesNotContain("Evil").doesNotContain("pwned");
    }
}
