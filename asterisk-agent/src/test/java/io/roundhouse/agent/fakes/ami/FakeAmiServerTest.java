package io.roundhouse.agent.fakes.ami;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake speaks the captured wire format: these tests read its raw bytes. */
class FakeAmiServerTest {

    private FakeAmiServer fake;

    @BeforeEach
    void start() throws IOException {
        fake = FakeAmiServer.start("roundhouse", "s3cret");
    }

    @AfterEach
    void stop() throws IOException {
        fake.close();
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (!got.toString(StandardCharsets.UTF_8).endsWith(end)) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            got.write(b);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    @Test
    void replaysTheCapturedBytesWithTheClientsActionId() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), fake.port())) {
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            assertThat(readUntil(in, "\r\n")).isEqualTo(AsteriskFixtures.text("ami-banner.txt"));

            s.getOutputStream().write("Action: Login\r\nActionID: mine-1\r\nUsername: roundhouse\r\nSecret: s3cret\r\n\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            String login = readUntil(in, "Status: Fully Booted\r\n\r\n");
            assertThat(login).isEqualTo(AsteriskFixtures.text("ami-login-success.txt").replace("login-1", "mine-1"));

            s.getOutputStream().write("Action: CoreShowChannels\r\nActionID: x-7\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            String list = readUntil(in, "ListItems: 0\r\n\r\n");
            assertThat(list).isEqualTo(AsteriskFixtures.text("ami-coreshowchannels-0.txt").replace("csc-0", "x-7"));
        }
    }

    @Test
    void failedLoginIsAnsweredThenClosedAboutASecondLater() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), fake.port())) {
            s.setSoTimeout(5_000);
            InputStream in = s.getInputStream();
            readUntil(in, "\r\n");
            long sent = System.nanoTime();
            s.getOutputStream().write("Action: Login\r\nActionID: f\r\nUsername: roundhouse\r\nSecret: nope\r\n\r\n"
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(readUntil(in, "\r\n\r\n")).isEqualTo("Response: Error\r\nActionID: f\r\nMessage: Authentication failed\r\n\r\n");
            int eof;
            try {
                eof = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the fake did not close after a failed login", e);
            }
            long closedAfterMs = (System.nanoTime() - sent) / 1_000_000;
            assertThat(eof).isEqualTo(-1);
            assertThat(closedAfterMs).isBetween(900L, 3_000L);
        }
    }
}
