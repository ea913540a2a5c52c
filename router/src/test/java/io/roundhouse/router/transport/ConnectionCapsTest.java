package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.dispatch.StaticRoundRobinDispatcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection caps on real sockets (issue 9: one client held 19,990 connections and starved everyone): a router capped
 * at 50 connections, 20 per source address; other loopback addresses act as other hosts.
 */
@Timeout(30)
class ConnectionCapsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<Socket> sockets = new ArrayList<>();
    private Router router;

    private void start() {
        RouterConfig config = RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "tcp:127.0.0.1:0" ]
                  connections: { max: 50, max-per-source: 20 }
                """);
        router = Router.start(config, new StaticRoundRobinDispatcher(config.nodes()), registry);
    }

    @AfterEach
    void close() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (router != null) {
            router.close();
        }
    }

    private Socket connect(String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", router.port()), 2000);
        sockets.add(s);
        return s;
    }

    private void open(String from, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            connect(from);
        }
    }

    private double open() {
        return registry.get("sip.connections.open").gauge().value();
    }

    private double refused(String limit) {
        return registry.get("sip.connections.refused").tag("limit", limit).functionCounter().count();
    }

    private static String options(String from, int localPort, String transport, int routerPort) {
        return "OPTIONS sip:127.0.0.1:" + routerPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + from + ":" + localPort + ";branch=z9hG4bK-" + System.nanoTime()
                + "\r\nMax-Forwards: 70\r\nFrom: <sip:probe@" + from + ">;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
                + "Call-ID: caps-" + System.nanoTime() + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    }

    /** Sends OPTIONS over the connection and returns the status line of the answer. */
    private String askOverTcp(Socket s) throws IOException {
        s.getOutputStream().write(options(s.getLocalAddress().getHostAddress(), s.getLocalPort(), "TCP",
                router.port()).getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\r'; c = in.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    private String askOverUdp() throws IOException {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] request = options("127.0.0.1", udp.getLocalPort(), "UDP", router.port())
                    .getBytes(StandardCharsets.US_ASCII);
            udp.send(new DatagramPacket(request, request.length, new InetSocketAddress("127.0.0.1", router.port())));
            udp.setSoTimeout(5000);
            DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
            udp.receive(answer);
            String text = new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
            return text.substring(0, text.indexOf('\r'));
        }
    }

    /** True when the router closed the connection (end of stream), false when it is still open after 100 ms. */
    private static boolean closedByRouter(Socket s) throws IOException {
        s.setSoTimeout(100);
        try {
            return s.getInputStream().read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    @Test
    void oneSourceGetsNoMoreThanItsShareAndOthersAreStillServed() throws Exception {
        start();
        open("127.0.0.2", 30);

        await(() -> open() == 20 && refused("max-per-source") == 10);
        long closed = 0;
        for (Socket s : sockets) {
            closed += closedByRouter(s) ? 1 : 0;
        }
        assertThat(closed).isEqualTo(10);
        assertThat(askOverTcp(connect("127.0.0.1"))).isEqualTo("SIP/2.0 200 OK");
    }

    @Test
    void atTheTotalCapNewConnectionsAreRefusedWhileUdpAndOpenConnectionsAreServed() throws Exception {
        start();
        Socket legit = connect("127.0.0.1");
        open("127.0.0.2", 20);
        open("127.0.0.3", 20);
        open("127.0.0.4", 20);

        await(() -> open() == 50 && refused("max") == 11);
        assertThat(closedByRouter(connect("127.0.0.5"))).isTrue();
        assertThat(askOverTcp(legit)).isEqualTo("SIP/2.0 200 OK");
        assertThat(askOverUdp()).isEqualTo("SIP/2.0 200 OK");
    }

    @Test
    void connectionsClosedByTheirPeersFreeTheirPlaces() throws Exception {
        start();
        open("127.0.0.2", 20);
        open("127.0.0.3", 20);
        open("127.0.0.4", 10);
        await(() -> open() == 50);

        for (Socket s : sockets) {
            s.close();
        }
        sockets.clear();
        await(() -> open() == 0);

        assertThat(askOverTcp(connect("127.0.0.2"))).isEqualTo("SIP/2.0 200 OK");
    }
}
