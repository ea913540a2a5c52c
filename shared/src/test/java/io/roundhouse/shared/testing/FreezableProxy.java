package io.roundhouse.shared.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a server that can make its current connections go silent without closing them:
 * the "peer vanished without a reset" failure (a host powered off, a firewall dropping packets), which a real Redis
 * cannot be made to produce. Connections accepted after {@link #freezeCurrent()} relay normally.
 */
public final class FreezableProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Relay> relays = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public FreezableProxy(int upstreamPort) {
        this.upstreamPort = upstreamPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on loopback", e);
        }
        this.acceptor = new Thread(this::accept, "proxy-accept-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Number of connections accepted so far. */
    public int accepted() {
        return relays.size();
    }

    /** From now on, bytes of the connections open now are swallowed in both directions; the sockets stay open. */
    public void freezeCurrent() {
        relays.forEach(r -> r.frozen = true);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 2000);
                Relay r = new Relay(client, upstream);
                relays.add(r);
                r.start();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    System.err.println("FreezableProxy: accept failed: " + e);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            System.err.println("FreezableProxy: close failed: " + e);
        }
        relays.forEach(Relay::close);
    }

    private static final class Relay {
        final Socket client;
        final Socket upstream;
        volatile boolean frozen;

        Relay(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() throws IOException {
            pump(client.getInputStream(), upstream.getOutputStream(), "up");
            pump(upstream.getInputStream(), client.getOutputStream(), "down");
        }

        private void pump(InputStream in, OutputStream out, String direction) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (!frozen) {
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // The other side closed: the relay ends with it.
                } finally {
                    close();
                }
            }, "proxy-" + direction);
            t.setDaemon(true);
            t.start();
        }

        void close() {
            try {
                client.close();
                upstream.close();
            } catch (IOException e) {
                System.err.println("FreezableProxy: relay close failed: " + e);
            }
        }
    }
}
