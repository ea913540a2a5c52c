package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code sip.max-message-size} over UDP: a request over it is answered 513 (RFC 3261 §21.5.14), the rest dropped. */
@Timeout(20)
class OversizedDatagramsTest {

    private Router router;
    private DatagramSocket socket;

    @BeforeEach
    void start() throws Exception {
        router = Router.start(RouterConfig.parse("""
                sip:
                  listen: [ "udp:127.0.0.1:0" ]
                  max-message-size: 1024
                """));
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(1000);
    }

    @AfterEach
    void stop() {
        socket.close();
        router.close();
    }

    private String message(String startLine, String method, int bodyBytes) {
        return startLine + "\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-big\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\n"
                + "Call-ID: big-1\r\nCSeq: 1 " + method + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + bodyBytes + "\r\n\r\n" + "x".repeat(bodyBytes);
    }

    private String exchange(String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress("127.0.0.1", router.port())));
        DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
        try {
            socket.receive(answer);
        } catch (SocketTimeoutException none) {
            return null;
        }
        return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void aRequestOverTheLimitIsAnswered513WithLessThanItSent() throws Exception {
        String request = message("MESSAGE sip:127.0.0.1:" + router.port() + " SIP/2.0", "MESSAGE", 3000);

        String answer = exchange(request);

        assertThat(answer).startsWith("SIP/2.0 513 Message Too Large\r\n").contains("Call-ID: big-1");
        assertThat(answer.length()).isLessThan(request.length() / 4);
        assertThat(router.droppedMessages()).isEqualTo(1);
    }

    @Test
    void aResponseOverTheLimitIsDroppedUnanswered() throws Exception {
        assertThat(exchange(message("SIP/2.0 200 OK", "MESSAGE", 3000))).isNull();
        assertThat(router.droppedMessages()).isEqualTo(1);
    }

    @Test
    void anOversizedAckGetsNoAnswer() throws Exception {
        assertThat(exchange(message("ACK sip:127.0.0.1:" + router.port() + " SIP/2.0", "ACK", 3000))).isNull();
    }

    @Test
    void aDatagramWhoseHeadIsNotSipIsDroppedUnanswered() throws Exception {
        assertThat(exchange("x".repeat(3000))).isNull();
        assertThat(router.droppedMessages()).isEqualTo(1);
    }
}
