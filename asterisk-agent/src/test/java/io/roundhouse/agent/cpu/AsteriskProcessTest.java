package io.roundhouse.agent.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** This node's Asterisk, found in a /proc laid out as Linux lays it out, beside other processes named asterisk. */
@Timeout(10)
class AsteriskProcessTest {

    // /proc/net/tcp as Linux writes it: 127.0.0.1:5038 (0x13AE) listening (0A), socket inode 31337; then one
    // established connection to it.
    private static final String NET_TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:13AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000   998        0 31337 1 0000000000000000 100 0 0 10 0
               1: 0100007F:13AE 0100007F:D431 01 00000000:00000000 00:00000000 00000000   998        0 31400 1 0000000000000000 20 4 30 10 -1
            """;

    private static void process(Path proc, long pid, String comm, String... sockets) throws IOException {
        Files.createDirectories(proc.resolve(pid + "/fd"));
        Files.writeString(proc.resolve(pid + "/comm"), comm + "\n");
        for (int i = 0; i < sockets.length; i++) {
            Files.createSymbolicLink(proc.resolve(pid + "/fd/" + (3 + i)), Path.of("socket:[" + sockets[i] + "]"));
        }
    }

    @Test
    void thePidFileNamesThisNodesAsteriskEvenWhenAnotherComesFirst(@TempDir Path proc) throws IOException {
        process(proc, 100, "asterisk"); // another node's Asterisk on this host, or an asterisk -rx
        process(proc, 4242, "asterisk");
        Files.writeString(proc.resolve("asterisk.pid"), "4242\n");

        AsteriskProcess.Found found = new AsteriskProcess(proc, proc.resolve("asterisk.pid"), 5038).find();

        assertThat(found.pid()).isEqualTo(4242);
        assertThat(found.why()).contains("asterisk.pid");
    }

    @Test
    void aStalePidFileFallsBackToTheListenerOfTheAmiPort(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/tcp"), NET_TCP);
        process(proc, 100, "asterisk", "999"); // an asterisk -rx: no AMI listener
        process(proc, 4242, "asterisk", "31337");
        Files.writeString(proc.resolve("asterisk.pid"), "7\n"); // left by an Asterisk that died

        AsteriskProcess.Found found = new AsteriskProcess(proc, proc.resolve("asterisk.pid"), 5038).find();

        assertThat(found.pid()).isEqualTo(4242);
        assertThat(found.why()).contains("listens on the AMI port 5038").contains("pid 7 is not running");
    }

    @Test
    void neitherFindsNothingAndSaysWhy(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("net"));
        Files.writeString(proc.resolve("net/tcp"), NET_TCP);
        process(proc, 100, "asterisk");

        AsteriskProcess.Found found = new AsteriskProcess(proc, proc.resolve("asterisk.pid"), 5039).find();

        assertThat(found.pid()).isEqualTo(-1);
        assertThat(found.why()).contains("no such file").contains("AMI port 5039");
    }
}
