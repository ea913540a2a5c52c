package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.roundhouse.router.sip.Via;
import io.roundhouse.router.testing.Farm;
import io.roundhouse.router.testing.Received;
import io.roundhouse.router.testing.SipTestAgent;
import io.roundhouse.router.testing.UasBehavior;
import io.roundhouse.router.transport.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The caller's Via gets received and rport from the packet, whatever the caller wrote there itself (RFC 3261 §18.2.1,
 * RFC 3581 §4): a forged received or rport value cannot steer the responses elsewhere.
 */
class CallerWrittenReceivedAndRportAreOverwrittenTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    final Farm farm = Farm.withNodes(1);
    private final SipTestAgent caller = farm.caller();
    private final SipTestAgent node = farm.node().uas(UasBehavior.answer());

    @Test
    void aForgedReceivedAndRportValueAreReplacedAndTheCallerGetsItsAnswer() {
        farm.start();
        String invite = caller.request("INVITE", farm.callUri()).build()
                .replace(";rport\r\n", ";received=192.0.2.66;rport=9\r\n");
        caller.send(invite, farm.routerAddress(), Transport.UDP);
        Received forwarded = node.awaitRequest("INVITE", WAIT);
        String callerVia = forwarded.headers("Via").get(1);
        assertThat(callerVia).contains(";received=127.0.0.1").contains(";rport=" + caller.port())
                .doesNotContain("192.0.2.66").doesNotContain("rport=9;").doesNotEndWith("rport=9");
        assertThat(caller.awaitFinal(WAIT).status()).isEqualTo(200);
    }

    @Test
    void aForgedReceivedIsDroppedWhenSentByIsTheSourceAndNoRportWasAsked() {
        Via via = Via.parse("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx;received=192.0.2.66", 0);
        assertThat(via.withSource("127.0.0.1", 5070)).isEqualTo("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx");
        Via other = Via.parse("SIP/2.0/UDP host.example;received=192.0.2.66;branch=z9hG4bKx", 0);
        assertThat(other.withSource("198.51.100.7", 5060))
                .isEqualTo("SIP/2.0/UDP host.example;received=198.51.100.7;branch=z9hG4bKx");
    }
}
