package io.roundhouse.sim.demo;

import io.roundhouse.sim.farm.SimulatedAsterisk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration files the demo writes into its work folder, for the real router and the real agents: what an
 * operator would write for such a farm, with the few demo choices explained in comments.
 */
final class DemoConfigs {

    /** The node whose agent publishes slowly and refuses new rooms early: where the bounce happens. */
    static final String SLOW_NODE = "asterisk-3";
    /** New rooms on {@link #SLOW_NODE} only below this many channels. */
    static final int SLOW_NODE_NEW_ROOM_MAX_CHANNELS = 4;

    private DemoConfigs() {
    }

    /** {@code redis:} block; without a URL the processes take {@code REDIS_URL} from their environment. */
    private static String redis(String url, String prefix) {
        return "redis:\n" + (url == null ? "  # url: from the environment variable REDIS_URL\n"
                : "  url: \"" + url + "\"\n") + "  key-prefix: \"" + prefix + "\"\n";
    }

    static Path router(Path dir, int sipPort, int adminPort, List<SimulatedAsterisk> nodes, String redisUrl,
                       String prefix) {
        StringBuilder yml = new StringBuilder();
        yml.append("""
                # Roundhouse demo router, written by ./roundhouse demo. See docs/dispatch.md for every key.
                sip:
                  listen: [ "udp:127.0.0.1:%d", "tcp:127.0.0.1:%d" ]
                # The three simulated nodes, with weights for the weighted service (agents make them eligible).
                nodes:
                """.formatted(sipPort, sipPort));
        int[] weights = {3, 2, 1};
        for (int i = 0; i < nodes.size(); i++) {
            yml.append("  - { id: %s, uri: \"%s\", weight: %d }\n".formatted(nodes.get(i).id(),
                    nodes.get(i).node().sipUri(), weights[i % weights.length]));
        }
        yml.append(redis(redisUrl, prefix));
        yml.append("""
                services:
                  - name: conference               # conf-<room>: every caller of a room reaches the node hosting it
                    match: { ruri-user: "^conf-(?<room>[0-9]+)$" }
                    app: Conference
                    app-data: "${room}"
                    affinity: "${ruri-host}:${room}"
                    strategy: least-loaded
                  - name: sales                    # 3xxx: split 3:2:1 by the nodes' weights
                    match: { ruri-user: "^3[0-9]{3}$" }
                    app: Echo
                    strategy: weighted
                  - name: support                  # 2xxx: asterisk-3 first, asterisk-1 as its backup
                    match: { ruri-user: "^2[0-9]{3}$" }
                    app: Echo
                    nodes: [ asterisk-3, asterisk-1 ]
                    strategy: priority
                  - name: default                  # anything else: the least loaded node
                    app: Echo
                    strategy: least-loaded
                health:
                  interval: 2s
                  timeout: 1s
                dispatch:
                  refresh-interval: 500ms
                  require-agent: true              # a node takes calls only while its agent publishes it
                  least-loaded:
                    channel-weight: 1.0            # the three nodes share one host: its CPU says nothing of each
                admin:                             # status page, JSON API, /metrics (docs/admin.md); the token of
                  listen: "127.0.0.1:%d"           # mutations is ROUNDHOUSE_ADMIN_TOKEN (the demo's: admin-token)
                """.formatted(adminPort));
        return write(dir.resolve("router.yml"), yml.toString());
    }

    static Path agent(Path dir, SimulatedAsterisk node, String redisUrl, String prefix) {
        boolean slow = node.id().equals(SLOW_NODE);
        String yml = """
                # Roundhouse demo agent for simulated node %1$s, written by ./roundhouse demo.
                # Secrets: AMI_SECRET and ARI_PASSWORD in the environment (random for each demo run).
                node:
                  id: %1$s
                  sip-uri: "%2$s"
                  max-channels: 200
                %3$sami:
                  host: 127.0.0.1
                  port: %4$d
                  username: roundhouse
                  reconnect-min: 200ms
                  reconnect-max: 2s
                publish:
                %5$sdrain:
                  timeout: 5s
                ari:
                  url: "%6$s"
                  username: roundhouse
                  apps: [ Conference, Echo ]
                  reconnect-initial: 100ms
                  reconnect-max: 2s
                services:
                  Conference:
                    max-participants-per-node: 200
                    new-room-max-channels: %7$d
                    new-room-max-cpu: off          # one host for three nodes: its CPU is not a node's own
                  Echo:
                    max-channels: 150
                    max-cpu: off
                """.formatted(node.id(), node.node().sipUri(), redis(redisUrl, prefix), node.ami().port(),
                slow ? """
                          # This agent publishes every 2 s and only 1.5 s after a change, so routers see its load late:
                          # the case a bounce exists for (docs/dispatch.md, "Affinity, bounce and redispatch").
                          interval: 2s
                          ttl: 6s
                          debounce: 1500ms
                        """ : """
                          interval: 1s
                          ttl: 3s
                          debounce: 200ms
                        """, node.ari().url(), slow ? SLOW_NODE_NEW_ROOM_MAX_CHANNELS : 150);
        return write(dir.resolve("agent-" + node.id() + ".yml"), yml);
    }

    private static Path write(Path file, String text) {
        try {
            Files.writeString(file, text);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
