package io.roundhouse.router.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roundhouse.router.Router;
import io.roundhouse.router.config.RouterConfig;
import io.roundhouse.router.testing.sipp.SippProcess;
import io.roundhouse.router.testing.sipp.SippResult;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Robustness (issue 3): 10,000 seeded random mutations and truncations of valid SIP messages thrown at the router,
 * mostly over UDP and some over TCP, while sipp calls flow through it. Nothing a remote peer sends may crash the
 * router, stall other calls or leak a transaction.
 */
class MutatedDatagramsIT {

    /** Fixed so that a failure can be replayed; change it to explore other inputs. */
    private static final long SEED = 0x5EED_3L;
    private static final int MUTATIONS = 10_000;
    /** One in this many mutations goes over TCP (a connection carries a few messages, then closes). */
    private static final int TCP_EVERY = 20;
    private static final int MAX_UDP_PAYLOAD = 65_507;
    private static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    void mutatedMessagesNeitherCrashTheRouterNorStallCallsNorLeakTransactions() throws Exception {
        try (SippProcess uasA = SippProcess.scenario("uas.xml").maxDuration(BOUND).start();
             SippProcess uasB = SippProcess.scenario("uas.xml").maxDuration(BOUND).start();
             Router router = Router.start(shortTimersConfig(uasA.localPort(), uasB.localPort()));
             ResponseCounter sender = new ResponseCounter();
             ResponseCounter sink = new ResponseCounter();
             SippProcess uac = SippProcess.scenario("uac.xml")
                     .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(1_500).rate(100)
                     .maxDuration(BOUND).start()) {

            List<byte[]> seeds = SeedMessages.all(sender.port(), router.port(), sink.port());
            DatagramMutator mutator = new DatagramMutator(SEED);
            InetSocketAddress routerAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), router.port());
            long started = System.nanoTime();
            int overTcp = 0;
            MutationDump dump = MutationDump.fromSystemProperty();
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] mutated = mutator.mutate(seeds.get(i % seeds.size()));
                if (i % TCP_EVERY == 0) {
                    byte[] second = mutator.mutate(seeds.get((i + 1) % seeds.size()));
                    dump.write(i, "tcp", mutated, second);
                    sendOverTcp(routerAddress, mutated, second);
                    overTcp++;
                } else {
                    dump.write(i, "udp", mutated);
                    sender.send(mutated, routerAddress);
                }
                if (i % 100 == 99) {
                    Thread.sleep(80); // about 1,000 mutations a second: a storm, yet bounded, beside 100 calls/s
                }
            }
            Duration storm = Duration.ofNanos(System.nanoTime() - started);
            String sent = overTcp + " TCP connections, " + (MUTATIONS - overTcp) + " datagrams";

            SippResult caller = uac.awaitExit();
            assertThat(caller.failedCalls()).as("calls during the storm (%s in %s): %s", sent, storm, caller)
                    .isZero();
            assertThat(caller.successfulCalls()).as("%s", caller).isEqualTo(1_500);

            // Still serving after the storm.
            try (SippProcess after = SippProcess.scenario("uac.xml")
                    .remote(new InetSocketAddress("127.0.0.1", router.port())).calls(100).rate(50)
                    .maxDuration(BOUND).start()) {
                SippResult result = after.awaitExit();
                assertThat(result.successfulCalls()).as("%s", result).isEqualTo(100);
                assertThat(result.failedCalls()).as("%s", result).isZero();
            }
            uasA.stop();
            uasB.stop();

            assertThat(router.droppedMessages()).as("messages too damaged to answer are counted").isPositive();
            assertThat(sender.statusCounts()).as("answerable defects get 400 (issue 3, bad input)")
                    .containsKey(400);
            // Every transaction the storm opened ends once its timers expire (short timers in this config).
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(router.transactionCount())
                            .as("live transactions after the storm (dropped %d, answered %s)",
                                    router.droppedMessages(), sender.statusCounts())
                            .isZero());
        }
    }

    /**
     * Short transaction timers so that every transaction the storm opens ends within seconds; two backends and a
     * failover timeout long enough for a sipp backend that mutated INVITEs keep busy, so a slow answer is failed over
     * rather than failed.
     */
    private static RouterConfig shortTimersConfig(int backendA, int backendB) {
        return RouterConfigs.forwardingTo(List.of(backendA, backendB),
                "t1: 100ms", "t2: 800ms", "t4: 1s", "timer-b: 6400ms", "timer-c: 8s", "timer-d: 2s",
                "timer-f: 6400ms", "failover-timeout: 2s");
    }

    /** A connection carries two mutated messages (TCP frames by Content-Length, so they may run together). */
    private static void sendOverTcp(InetSocketAddress router, byte[] first, byte[] second) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(router, 2_000);
            socket.setSoLinger(true, 0); // reset, as a crashed peer would; no TIME_WAIT pile-up either
            OutputStream out = socket.getOutputStream();
            out.write(first);
            out.write(second);
            out.flush();
        } catch (SocketException e) {
            // The router may close a connection that sent garbage: that is an expected reaction, not a failure.
            if (!String.valueOf(e.getMessage()).contains("reset") && !String.valueOf(e.getMessage()).contains("Broken")) {
                throw e;
            }
        }
    }

    /** A UDP socket that sends the mutations and counts what comes back by status code. */
    private static final class ResponseCounter implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread receiver;
        private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();

        ResponseCounter() throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setSoTimeout(200);
            receiver = new Thread(this::receive, "mutation-responses-" + socket.getLocalPort());
            receiver.setDaemon(true);
            receiver.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        void send(byte[] message, InetSocketAddress to) throws IOException {
            int length = Math.min(message.length, MAX_UDP_PAYLOAD);
            socket.send(new DatagramPacket(message, length, to));
        }

        Map<Integer, Long> statusCounts() {
            Map<Integer, Long> counts = new java.util.TreeMap<>();
            statuses.forEach((status, count) -> counts.put(status, count.get()));
            return counts;
        }

        private void receive() {
            byte[] buffer = new byte[65_535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (!socket.isClosed()) {
                try {
                    socket.receive(packet);
                    String head = new String(buffer, 0, Math.min(packet.getLength(), 12), StandardCharsets.US_ASCII);
                    if (head.startsWith("SIP/2.0 ") && head.length() >= 11) {
                        statuses.computeIfAbsent(Integer.parseInt(head.substring(8, 11)), s -> new AtomicLong())
                                .incrementAndGet();
                    }
                } catch (SocketTimeoutException idle) {
                    // nothing arrived in 200 ms: check whether we were closed, then keep listening
                } catch (NumberFormatException notAStatus) {
                    statuses.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
                } catch (IOException e) {
                    if (!socket.isClosed()) {
                        throw new IllegalStateException("mutation response socket failed", e);
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
}
