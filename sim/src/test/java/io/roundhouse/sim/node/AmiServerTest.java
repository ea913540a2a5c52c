package io.roundhouse.sim.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.sim.farm.Farm;
import io.roundhouse.sim.farm.SimulatedAsterisk;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The AMI of a simulated node shows the channels it holds, in Asterisk 22.10.1's captured framing. */
@Timeout(30)
class AmiServerTest {

    @Test
    void coreShowChannelsListsTheHeldChannelAndEventsFollowIt() throws Exception {
        try (Farm farm = new Farm(1); UdpPeer router = new UdpPeer()) {
            SimulatedAsterisk asterisk = farm.add(NodeSettings.loopback("asterisk-1", "ami-test", "ari-test"));
            asterisk.node().registrations(app -> true);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), asterisk.ami().port())) {
                socket.setSoTimeout(5_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = socket.getOutputStream();
                assertThat(in.readLine()).isEqualTo("Asterisk Call Manager/11.0.0");
                write(out, "Action: Login\r\nActionID: l1\r\nUsername: roundhouse\r\nSecret: ami-test\r\n\r\n");
                assertThat(block(in)).contains("Message: Authentication accepted");
                assertThat(block(in)).contains("Event: FullyBooted");

                router.send(router.invite("1000", "a1", "X-Exec-App: Conference\r\nX-Exec-App-Data: 1000\r\n"),
                        asterisk.node().sipPort());
                List<String> created = block(in);
                await().atMost(Duration.ofSeconds(5)).until(() -> !asterisk.node().channels().isEmpty());
                write(out, "Action: CoreShowChannels\r\nActionID: c1\r\n\r\n");
                List<String> response = block(in);
                List<String> item = block(in);
                List<String> complete = block(in);

                String id = asterisk.node().channels().get(0).id();
                assertThat(created).contains("Event: Newchannel", "Uniqueid: " + id);
                assertThat(response).contains("Response: Success", "ActionID: c1", "EventList: start");
                assertThat(item).contains("Event: CoreShowChannel", "Uniqueid: " + id, "Application: Stasis",
                        "ApplicationData: Conference,1000");
                assertThat(complete).contains("Event: CoreShowChannelsComplete", "ListItems: 1");
            }
        }
    }

    private static void write(OutputStream out, String text) throws Exception {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The lines of the next block, up to its blank line. */
    private static List<String> block(BufferedReader in) throws Exception {
        List<String> lines = new ArrayList<>();
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            lines.add(line);
        }
        return lines;
    }
}
