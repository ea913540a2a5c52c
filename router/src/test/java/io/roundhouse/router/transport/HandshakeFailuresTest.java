package io.roundhouse.router.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Failed TLS handshakes: every one counted, one line per peer per interval (clock injected). */
@Timeout(10)
class HandshakeFailuresTest {

    private final AtomicLong nanos = new AtomicLong(5_000_000_000_000L);
    private final HandshakeFailures failures = new HandshakeFailures(nanos::get);

    @Test
    void aPeerFailingOverAndOverIsLoggedOncePerInterval() throws Exception {
        InetAddress scanner = InetAddress.getByName("127.0.0.2");

        assertThat(failures.failed(scanner, "not an SSL/TLS record")).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(failures.failed(scanner, "not an SSL/TLS record")).isFalse();
        }
        nanos.addAndGet(HandshakeFailures.INTERVAL.toNanos());

        assertThat(failures.failed(scanner, "not an SSL/TLS record")).isTrue();
        assertThat(failures.count()).isEqualTo(102);
    }

    @Test
    void anotherPeerIsLoggedAtOnce() throws Exception {
        failures.failed(InetAddress.getByName("127.0.0.2"), "handshake timed out");

        assertThat(failures.failed(InetAddress.getByName("127.0.0.3"), "handshake timed out")).isTrue();
    }
}
