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
    /** Below Linux's default ephemeral range (32768-60999). */
    private static final int MEDIA_LOW = 20_000;
    private static final int MEDIA_HIGH = 32_000;

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

    /**
     * The first of four free consecutive UDP ports for sipp's media sockets ({@code -mp}): sipp binds the audio port
     * and the video port two above it. Taken below the kernel's ephemeral range, where port-0 binds of other tests
     * and sipp's own SIP ports never land, so two sipps started together cannot collide on a neighbouring port.
     */
    public static int mediaBlock() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < ATTEMPTS; i++) {
            int first = MEDIA_LOW + 4 * random.nextInt((MEDIA_HIGH - MEDIA_LOW) / 4);
            if (udpFree(first) && udpFree(first + 1) && udpFree(first + 2) && udpFree(first + 3)) {
                return first;
            }
        }
        throw new IllegalStateException("no 4 free consecutive UDP ports in [" + MEDIA_LOW + ", " + MEDIA_HIGH
                + ") after " + ATTEMPTS + " attempts");
    }

    private static boolean udpFree(int port) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(loopback(), port))) {
            return probe.getLocalPort() == port;
        } catch (IOException taken) {
            return false;
        }
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
