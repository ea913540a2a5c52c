package io.roundhouse.sim.node;

import io.roundhouse.shared.config.ConfigException;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * One simulated Asterisk node: its name, where it listens (SIP over UDP, AMI, ARI's HTTP server; port 0 takes a free
 * one), the credentials its agent uses (as in manager.conf and ari.conf), and how it behaves.
 *
 * @param id          node id, as the agent publishes it (letters, digits, {@code . _ -})
 * @param host        loopback address every listener binds
 * @param sipPort     SIP (UDP), like pjsip.conf's transport
 * @param amiPort     AMI (manager.conf {@code port})
 * @param ariPort     ARI REST and WebSocket (http.conf {@code bindport})
 * @param amiUser     manager.conf user
 * @param amiSecret   its secret
 * @param ariUser     ari.conf user
 * @param ariPassword its password
 * @param hold        an answered call is ended by the node after this long (BYE from the node); zero waits for the
 *                    caller's BYE
 * @param capacity    most channels at once; beyond it a new INVITE gets what Asterisk's {@code maxcalls} gives
 *                    (503, cause 42); 0 means no limit
 * @param latency     added before the node handles each SIP request and ARI request (a slow node)
 */
public record NodeSettings(String id, String host, int sipPort, int amiPort, int ariPort, String amiUser,
                           String amiSecret, String ariUser, String ariPassword, Duration hold, int capacity,
                           Duration latency) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public NodeSettings {
        require(ID.matcher(id).matches(), "id", id, "1-64 of letters, digits, '.', '_', '-'");
        require(!host.isBlank(), "host", host, "an address to bind");
        port("sip-port", sipPort);
        port("ami-port", amiPort);
        port("ari-port", ariPort);
        require(!amiUser.isBlank(), "ami-user", amiUser, "a user name");
        require(!ariUser.isBlank(), "ari-user", ariUser, "a user name");
        require(!hold.isNegative(), "hold", hold, "0s or more");
        require(capacity >= 0, "capacity", capacity, "0 (no limit) or more");
        require(!latency.isNegative() && latency.compareTo(Duration.ofSeconds(10)) <= 0, "latency", latency,
                "0s..10s");
    }

    /** A node on 127.0.0.1 with free ports, the demo credentials, calls held until the caller hangs up. */
    public static NodeSettings loopback(String id, String amiSecret, String ariPassword) {
        return new NodeSettings(id, "127.0.0.1", 0, 0, 0, "roundhouse", amiSecret, "roundhouse", ariPassword,
                Duration.ZERO, 0, Duration.ZERO);
    }

    public NodeSettings withHold(Duration newHold) {
        return new NodeSettings(id, host, sipPort, amiPort, ariPort, amiUser, amiSecret, ariUser, ariPassword, newHold,
                capacity, latency);
    }

    public NodeSettings withCapacity(int newCapacity) {
        return new NodeSettings(id, host, sipPort, amiPort, ariPort, amiUser, amiSecret, ariUser, ariPassword, hold,
                newCapacity, latency);
    }

    public NodeSettings withLatency(Duration newLatency) {
        return new NodeSettings(id, host, sipPort, amiPort, ariPort, amiUser, amiSecret, ariUser, ariPassword, hold,
                capacity, newLatency);
    }

    @Override
    public String toString() {
        return "NodeSettings[id=" + id + ", host=" + host + ", sip=" + sipPort + ", ami=" + amiPort + ", ari=" + ariPort
                + ", hold=" + hold + ", capacity=" + capacity + ", latency=" + latency + "]"; // no secret
    }

    private static void port(String key, int port) {
        require(port >= 0 && port <= 65535, key, port, "0 (a free port) or 1..65535");
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new ConfigException(key, value + " (expected: " + expected + ")");
        }
    }
}
