package io.roundhouse.router.testing.sipp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Whether something listens on a loopback TCP port, read from Linux's socket tables (no probe connection). */
final class TcpListeners {

    private static final String LISTEN = "0A"; // TCP_LISTEN in include/net/tcp_states.h
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private TcpListeners() {
    }

    static boolean listening(int port) throws IOException {
        String localPort = ":" + String.format(Locale.ROOT, "%04X", port);
        for (Path table : TABLES) {
            if (!Files.exists(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table)) {
                // "  sl  local_address rem_address   st ...": local_address is HEXIP:HEXPORT, st the state.
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && fields[1].endsWith(localPort) && fields[3].equals(LISTEN)) {
                    return true;
                }
            }
        }
        return false;
    }
}
