package io.roundhouse.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.RequestBuilder;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.testing.sipp.FreePorts;
import io.roundhouse.router.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The router as operators run it: a separate JVM started with --config, sent SIGHUP and SIGTERM. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RouterProcessTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    final SipTestAgent caller = SipTestAgent.start();
    final SipTestAgent first = SipTestAgent.start();
    final SipTestAgent second = SipTestAgent.start().uas(UasBehavior.answer());
    final int port = FreePorts.udpAndTcp();
    Process process;

    @AfterEach
    void stop() throws Exception {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        caller.close();
        first.close();
        second.close();
    }

    Path config(String nodes) throws IOException {
        return Files.writeString(dir.resolve("router.yml"), """
                sip:
                  listen: [ "udp:127.0.0.1:%d" ]
                  drain-timeout: 20s
                nodes:
                %s
                health: { enabled: false }
                """.formatted(port, nodes));
    }

    String node(String id, SipTestAgent agent) {
        return "  - { id: %s, uri: \"%s\" }".formatted(id, agent.uri(Transport.UDP));
    }

    void startRouter(Path file) throws Exception {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        // The suite's leak detection level (router/pom.xml) for the router process too: it would run without one.
        String leakLevel = "-D" + RouterMain.LEAK_DETECTION + "="
                + System.getProperty(RouterMain.LEAK_DETECTION, "paranoid");
        process = new ProcessBuilder(List.of(javaBin.toString(), leakLevel, "-cp", System.getProperty("java.class.path"),
                RouterMain.class.getName(), "--config", file.toString()))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("router.log").toFile())
                .start();
        await().atMost(WAIT).until(() -> log().contains("router listening on"));
    }

    String log() throws IOException {
        Path log = dir.resolve("router.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    void signal(String name) throws Exception {
        // The shell's own kill: no dependency on a kill binary being installed.
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    RequestBuilder invite(String callId) {
        return caller.request("INVITE", "sip:1000@127.0.0.1:" + port).callId(callId);
    }

    InetSocketAddress router() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void sighupReloadsTheConfigAndNeverStopsTheRouter() throws Exception {
        first.uas(UasBehavior.answer());
        startRouter(config(node("a", first)));

        config(node("a", first) + "\n" + node("b", second));
        signal("HUP");
        await().atMost(WAIT).until(() -> log().contains("nodes.b: added"));
        assertThat(log()).contains("config reloaded from");
        assertThat(process.isAlive()).isTrue();
        // Round robin now takes the new node in turn.
        for (int i = 0; i < 2; i++) {
            caller.send(invite("hup-" + i).build(), router(), Transport.UDP);
        }
        assertThat(second.awaitRequest("INVITE", WAIT)).isNotNull();

        Files.writeString(dir.resolve("router.yml"), "sip: { listen: [ \"udp:127.0.0.1:1\" ] }\n");
        signal("HUP");
        await().atMost(WAIT).until(() -> log().contains("refused, the running config stays: needs a restart:"
                + " sip.listen"));
        assertThat(process.isAlive()).isTrue();

        signal("TERM");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void sigtermRefusesNewCallsLetsTheCallInSetupFinishAndExitsZero() throws Exception {
        first.uas(UasBehavior.ringForever());
        startRouter(config(node("a", first)));
        caller.send(invite("ringing").build(), router(), Transport.UDP);
        Received ringing = first.awaitRequest("INVITE", WAIT);
        caller.awaitResponse(180, WAIT);

        signal("TERM");
        await().atMost(WAIT).until(() -> log().contains("SIGTERM: stopping"));
        caller.send(invite("too-late").build(), router(), Transport.UDP);
        Received refused = caller.await(r -> !r.isRequest() && r.callId().equals("too-late") && r.status() >= 200,
                WAIT);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(process.isAlive()).as("the call in setup holds the router").isTrue();

        first.send(first.response(ringing.text(), 200, "answered"), ringing.source(), Transport.UDP);
        Received answered = caller.await(r -> !r.isRequest() && r.callId().equals("ringing") && r.status() == 200,
                WAIT);
        assertThat(answered).isNotNull();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(log()).contains("new calls get 503 with Retry-After, waiting up to 20000 ms (sip.drain-timeout)"
                + " for 1 transactions in progress").contains("drained: no transaction in progress after")
                .contains("shutdown complete");
    }
}
