package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The idle timeout and the message deadline on real sockets, with short configured values (1 s and 500 ms). */
@Timeout(20)
class ConnectionDeadlinesTest {

    private Router router;

    @BeforeEach
    void start() {
        router = Router.start(RouterConfig.parse("""
                sip:
                  listen: [ "tcp:127.0.0.1:0" ]
                  connections: { idle-timeout: 1s, message-timeout: 500ms }
                """));
    }

    @AfterEach
    void stop() {
        router.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", router.port()), 2000);
        s.setSoTimeout(5000);
        return s;
    }

    /** Milliseconds until the router closes the connection, reading and discarding what it sends. */
    private static long millisUntilClosed(Socket s) throws IOException {
        long start = System.nanoTime();
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // the answer to our request, if any
            }
        } catch (java.net.SocketException reset) {
            // closed with a reset: closed all the same
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheMessageDeadline() throws Exception {
        try (Socket s = connect()) {
            assertThat(millisUntilClosed(s)).isBetween(400L, 3000L);
        }
    }

    @Test
    void aHalfSentHeaderIsClosedAfterTheMessageDeadline() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(millisUntilClosed(s)).isBetween(400L, 3000L);
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(("OPTIONS sip:127.0.0.1:" + router.port() + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/TCP 127.0.0.1:" + s.getLocalPort() + ";branch=z9hG4bK-idle\r\n"
                    + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
                    + "Call-ID: idle-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            // Answered, then silent both ways: closed after the idle timeout, not by the message deadline.
            assertThat(millisUntilClosed(s)).isBetween(900L, 4000L);
        }
    }
}
