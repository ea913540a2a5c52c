package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.sip.Fixtures;
import io.roundhouse.router.testing.Dialog;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Mutator;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 5,000 seeded mutated and truncated datagrams (and a mutated TCP stream) sent while calls flow: no handler fails,
 * every call still succeeds, and the transaction count returns to zero once the timers have expired.
 */
class RobustnessTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent fuzzer = farm.closeAfterEach(SipTestAgent.start());
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @Test
    void mutatedTrafficNeitherBreaksTheRouterNorStallsCalls() {
        // The fuzzer saturates the loop on purpose: whether calls are shed then is OverloadGuardTest's subject;
        // this test is about malformed input, so shedding is off.
        Router router = farm.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "tcp:127.0.0.1:0" ]
                  timers: { t1: 50ms, t2: 400ms, t4: 500ms, timer-d: 1s, timer-c: 10s, failover-timeout: 1s }
                  overload: { enabled: false }
                  flood: { exempt: [ "127.0.0.1" ] }
                nodes: [ { id: node-1, uri: "%s" } ]
                """.formatted(node.uri(Transport.UDP))));
        InetSocketAddress to = new InetSocketAddress("127.0.0.1", router.port());
        String me = "127.0.0.1:" + router.port();
        List<byte[]> seeds = new ArrayList<>();
        // Fixed identifiers, so that a failure replays exactly with the same seed.
        RequestBuilder fz1 = fuzzer.request("INVITE", "sip:1000@" + me).callId("fz1").branch("z9hG4bKfz1").fromTag("a")
                .body("v=0\r\n");
        seeds.add(bytes(fz1.build()));
        seeds.add(bytes(fuzzer.request("OPTIONS", "sip:" + me).callId("fz2").branch("z9hG4bKfz2").fromTag("b")
                .build()));
        seeds.add(bytes(fuzzer.request("BYE", "sip:uas@" + node.hostPort()).to("<sip:b@x>;tag=1").callId("fz3")
                .branch("z9hG4bKfz3").fromTag("c").route("<sip:" + me + ";lr>").build()));
        seeds.add(bytes(fz1.cancel().build()));
        seeds.add(bytes("SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP " + me + ";branch=z9hG4bKRh1.0\r\nVia: SIP/2.0/UDP "
                + fuzzer.hostPort() + ";branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
                + "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"));
        seeds.add(Fixtures.bytes("comma-joined.sip"));
        seeds.add(Fixtures.bytes("compact-forms.sip"));
        seeds.add(Fixtures.bytes("folded-headers.sip"));
        Mutator mutator = new Mutator(Long.getLong("robustness.seed", 42L));
        int calls = 0;
        for (int i = 0; i < 5_000; i++) {
            fuzzer.sendBytes(mutator.mutate(seeds.get(i % seeds.size())), to, Transport.UDP);
            if (i % 250 == 0) {
                call(caller, me, to, "f" + i);
                calls++;
            }
        }
        // A mutated stream over TCP: the connection may be closed, the router must not be harmed.
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            stream.append(new String(mutator.mutate(seeds.get(i % seeds.size())), StandardCharsets.ISO_8859_1));
        }
        try {
            fuzzer.sendBytes(stream.toString().getBytes(StandardCharsets.ISO_8859_1), to, Transport.TCP);
        } catch (RuntimeException closedByRouter) {
            // the router may close the connection on a framing error: expected
        }
        call(caller, me, to, "last");
        assertThat(calls).isEqualTo(20);
        assertThat(router.internalErrors()).isZero();
        assertThat(router.droppedMessages() + router.badRequests()).isGreaterThan(1000);
        await().atMost(Duration.ofSeconds(30)).until(() -> router.transactionCount() == 0);
    }

    private static void call(SipTestAgent caller, String me, InetSocketAddress to, String tag) {
        RequestBuilder invite = caller.request("INVITE", "sip:2000@" + me).fromTag(tag);
        caller.send(invite.build(), to, Transport.UDP);
        Received ok = caller.await(r -> r.status() == 200 && r.callId().equals(invite.callId()), WAIT);
        Dialog dialog = new Dialog(caller, ok, tag, Transport.UDP);
        dialog.send("ACK", 1);
        dialog.send("BYE", 2);
        caller.await(r -> r.status() == 200 && r.cseqMethod().equals("BYE") && r.callId().equals(invite.callId()),
                WAIT);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
