package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.roundhouse.router.sip.SipUri;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Next hops of {@code sips:} (RFC 5630): over TLS, port 5061 by default, and never over UDP or TCP, whether the next
 * hop's URI or the request's Request-URI is the {@code sips:} one. IP literals only: no event loop or resolver runs.
 */
@Timeout(10)
class NextHopsTest {

    private final NextHops nextHops = new NextHops(null, Runnable::run);

    /** The destination, or the failure reason prefixed with "failed: ". */
    private String resolve(String uri, boolean sipsRequest) {
        AtomicReference<String> result = new AtomicReference<>();
        nextHops.resolve(SipUri.parse(uri), sipsRequest, d -> Unpooled.EMPTY_BUFFER,
                (out, d) -> result.set(d.toString()), reason -> result.set("failed: " + reason));
        return result.get();
    }

    @Test
    void aSipsUriGoesOverTlsToPort5061ByDefault() {
        assertThat(resolve("sips:127.0.0.1;lr", false)).isEqualTo("tls:127.0.0.1:5061");
        assertThat(resolve("sips:1000@127.0.0.1:5071", true)).isEqualTo("tls:127.0.0.1:5071");
    }

    @Test
    void aSipsUriWithTransportTcpIsTlsOverTcp() {
        assertThat(resolve("sips:127.0.0.1:5071;transport=tcp", false)).isEqualTo("tls:127.0.0.1:5071");
        assertThat(resolve("sips:127.0.0.1:5071;transport=tls", false)).isEqualTo("tls:127.0.0.1:5071");
    }

    @Test
    void aSipsUriIsNeverSentOverUdp() {
        assertThat(resolve("sips:127.0.0.1:5071;transport=udp", false))
                .startsWith("failed: " + NextHops.SIPS_NOT_ALLOWED);
    }

    @Test
    void aSipsRequestIsNotDowngradedByASipNextHop() {
        assertThat(resolve("sip:127.0.0.1:5080", true)).startsWith("failed: " + NextHops.SIPS_NOT_ALLOWED)
                .contains("over UDP");
        assertThat(resolve("sip:127.0.0.1:5080;transport=tcp", true)).startsWith("failed: " + NextHops.SIPS_NOT_ALLOWED)
                .contains("over TCP");
        assertThat(resolve("sip:127.0.0.1:5081;transport=tls", true)).isEqualTo("tls:127.0.0.1:5081");
    }

    @Test
    void aSipRequestKeepsItsTransports() {
        assertThat(resolve("sip:127.0.0.1", false)).isEqualTo("udp:127.0.0.1:5060");
        assertThat(resolve("sip:127.0.0.1;transport=TCP", false)).isEqualTo("tcp:127.0.0.1:5060");
        assertThat(resolve("sip:127.0.0.1;transport=sctp", false)).isEqualTo("failed: unsupported transport sctp");
    }
}
