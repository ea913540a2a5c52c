package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9's flood goal on the real pipeline: a sender on 127.0.0.2 floods the router with 5,000 INVITEs a second while
 * a real sipp caller on 127.0.0.1 places 50 calls a second; the flooder is blocked, the caller loses no call.
 * The flood's INVITEs carry Max-Forwards 0, so that the few hundred let through before the block are answered by the
 * router (483, parsed and handled like any INVITE) and do not load the one sipp answering node, which would make the
 * test measure sipp; the limit is lowered to 400 messages per 1 s window for the same reason (defaults: FloodGuardTest).
 */
class FloodingSourceIsBlockedIT {

    private static final Duration BOUND = Duration.ofSeconds(40);
    private static final int FLOOD_PER_SECOND = 5_000;
    private static final int FLOOD_SECONDS = 3;

    @Test
    @Timeout(90)
    void aFlooderOnAnotherAddressIsBlockedWhileACallerKeepsGettingCallsThrough() throws Exception {
        int calls = 150;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (SippProcess uas = SippProcess.scenario("uas.xml").maxDuration(BOUND).start()) {
            RouterConfig config = RouterConfig.parse("""
                    sip:
                      listen: [ "udp:127.0.0.1:0" ]
                      flood: { window: 1s, max-messages: 400, block-for: 5s }
                    nodes:
                      - { id: a, uri: "sip:127.0.0.1:%d" }
                    """.formatted(uas.localPort()));
            try (Router router = Router.start(config, new StaticRoundRobinDispatcher(config.nodes()), registry);
                 DatagramSocket flooder = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                 SippProcess uac = SippProcess.scenario("uac.xml").remote(new InetSocketAddress("127.0.0.1",
                         router.port())).calls(calls).rate(50).callDuration(Duration.ofMillis(100))
                         .maxDuration(BOUND).start()) {

                int sent = flood(flooder, new InetSocketAddress("127.0.0.1", router.port()));
                SippResult caller = uac.awaitExit();
                int answered = answersReceived(flooder);

                assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(calls);
                assertThat(caller.failedCalls()).as("%s", caller).isZero();
                assertThat(registry.get("sip.flood.blocks").functionCounter().count()).isEqualTo(1.0);
                // Everything after the first second's allowance was dropped before parsing.
                assertThat(registry.get("sip.flood.dropped").functionCounter().count())
                        .isGreaterThan(sent - 2 * 400 - 1);
                assertThat(answered).as("answers to the flooder").isLessThanOrEqualTo(2 * 400);
            }
        }
    }

    /** Bounded: FLOOD_SECONDS seconds at FLOOD_PER_SECOND, paced in 10 ms steps; returns the datagrams sent. */
    private static int flood(DatagramSocket socket, InetSocketAddress router) throws Exception {
        int perStep = FLOOD_PER_SECOND / 100;
        long start = System.nanoTime();
        int sent = 0;
        for (int step = 0; step < FLOOD_SECONDS * 100; step++) {
            for (int i = 0; i < perStep; i++) {
                byte[] invite = invite(sent++, socket.getLocalPort(), router);
                socket.send(new DatagramPacket(invite, invite.length, router));
            }
            long due = start + TimeUnit.MILLISECONDS.toNanos(10L * (step + 1));
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        return sent;
    }

    /** Counts the answers waiting on the flooder's socket (the router's 483s to what it let through). */
    private static int answersReceived(DatagramSocket socket) throws Exception {
        socket.setSoTimeout(200);
        byte[] buffer = new byte[4096];
        int n = 0;
        try {
            for (int i = 0; i < 10_000; i++) {
                socket.receive(new DatagramPacket(buffer, buffer.length));
                n++;
            }
        } catch (java.net.SocketTimeoutException drained) {
            return n;
        }
        return n;
    }

    private static byte[] invite(int n, int localPort, InetSocketAddress router) {
        String target = "127.0.0.1:" + router.getPort();
        return ("INVITE sip:flood@" + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:" + localPort + ";branch=z9hG4bK-flood-" + n + "\r\n"
                + "Max-Forwards: 0\r\n"
                + "From: <sip:flooder@127.0.0.2>;tag=f" + n + "\r\n"
                + "To: <sip:flood@" + target + ">\r\n"
                + "Call-ID: flood-" + n + "@127.0.0.2\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:flooder@127.0.0.2:" + localPort + ">\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
