package io.roundhouse.router.interop;

import io.roundhouse.router.config.RouterConfig;
import java.util.List;

/** Router configurations of the interop tests: loopback, free ports (port 0), static nodes in round robin order. */
final class RouterConfigs {

    private RouterConfigs() {
    }

    /**
     * A router on a free UDP+TCP port forwarding round robin to the given loopback ports, with extra timer lines.
     * 127.0.0.1 is exempt from the flood limit: sipp callers, mutation storms and nodes all send from it (the limit is
     * tested by FloodingSourceIsBlockedIT with its own config).
     */
    static RouterConfig forwardingTo(List<Integer> nodePorts, String... timerLines) {
        StringBuilder yaml = new StringBuilder("""
                sip:
                  listen: [ "udp:127.0.0.1:0", "tcp:127.0.0.1:0" ]
                  flood: { exempt: [ "127.0.0.1" ] }
                """);
        if (timerLines.length > 0) {
            yaml.append("  timers:\n");
            for (String line : timerLines) {
                yaml.append("    ").append(line).append('\n');
            }
        }
        yaml.append("nodes:\n");
        char id = 'a';
        for (int port : nodePorts) {
            yaml.append("  - { id: ").append(id++).append(", uri: \"sip:127.0.0.1:").append(port)
                    .append("\", weight: 1 }\n");
        }
        return RouterConfig.parse(yaml.toString());
    }
}
