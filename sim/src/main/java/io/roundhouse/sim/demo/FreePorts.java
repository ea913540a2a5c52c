package io.roundhouse.sim.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback ports for the processes the demo starts (probed, then handed over; the race is accepted). */
final class FreePorts {

    private FreePorts() {
    }

    static int tcp() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port on loopback", e);
        }
    }

    /** Whether UDP and TCP are both free on that loopback port. */
    static boolean free(int port) {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
             ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return udp.getLocalPort() == port && tcp.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free for both UDP and TCP. */
    static int udpAndTcp() {
        for (int i = 0; i < 50; i++) {
            int port = tcp();
            if (free(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no loopback port free for both UDP and TCP");
    }
}
