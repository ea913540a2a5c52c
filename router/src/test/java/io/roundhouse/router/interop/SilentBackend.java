package io.roundhouse.router.interop;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A node that receives requests over UDP and never answers (a crashed or overloaded Asterisk): the router must give
 * up on it after its failover timeout and try the next node. Counts the INVITEs (retransmissions included) so a test
 * can prove the router really tried it.
 */
final class SilentBackend implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread receiver;
    private final AtomicInteger invites = new AtomicInteger();

    SilentBackend() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiver = new Thread(this::receive, "silent-backend-" + socket.getLocalPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    /** INVITE datagrams received so far, retransmissions included. */
    int invitesReceived() {
        return invites.get();
    }

    private void receive() {
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                socket.receive(packet);
                String start = new String(buffer, 0, Math.min(packet.getLength(), 7), StandardCharsets.US_ASCII);
                if (start.equals("INVITE ")) {
                    invites.incrementAndGet();
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    throw new IllegalStateException("silent backend on port " + socket.getLocalPort()
                            + ": receive failed", e);
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        receiver.join(5_000);
    }
}
