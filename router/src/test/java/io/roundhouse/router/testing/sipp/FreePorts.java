package io.roundhouse.router.testing.sipp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback ports that are free right now for both UDP and TCP. Other helpers' tests run on this machine at the same
 * time, so fixed ports are never used; sipp needs a number up front (it cannot report an ephemeral port back).
 */
public final class FreePorts {

    private static final int ATTEMPTS = 50;

    private FreePorts() {
    }

    /** A port that was free for UDP and TCP on 127.0.0.1 when this returned. */
    public static int udpAndTcp() {
        IOException last = null;
        for (int i = 0; i < ATTEMPTS; i++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback(), 0))) {
                int port = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.setReuseAddress(true);
                    tcp.bind(new InetSocketAddress(loopback(), port));
                    return port;
                } catch (IOException taken) {
                    last = taken; // the TCP side of this UDP port is in use: try another one
                }
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("no free UDP+TCP loopback port after " + ATTEMPTS + " attempts", last);
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
