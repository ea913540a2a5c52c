package io.roundhouse.router.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser on RFC 4475's messages, byte for byte (what the router then does with each: Rfc4475ConformanceTest). */
@Timeout(10)
class Rfc4475ParsingTest {

    private static SipMessage parse(String name) {
        return Fixtures.parse("rfc4475/" + name + ".sip");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri",
        "transports", "mpart01", "badbranch", "unkscm", "novelsc", "unksm2", "bext01", "invut", "regaut01", "zeromf",
        "cparam01", "cparam02", "regescrt", "sdp01", "inv2543"})
    void aValidRequestParsesWithoutADefectAndItsProxyFieldsRead(String name) {
        SipMessage m = parse(name);
        assertThat(m.defect()).isNull();
        assertThat(m.topVia().host()).isNotEmpty();
        assertThat(m.callId()).isNotEmpty();
        assertThat(m.cseq().method()).isEqualTo(m.method());
        assertThat(m.from().uri()).isNotEmpty();
        assertThat(m.to().uri()).isNotEmpty();
    }

    @Test
    void theTortuousInviteReadsThroughItsFoldsAndWhiteSpace() {
        SipMessage m = parse("wsinv");
        assertThat(m.topVia().branch()).isEqualTo("390skdjuw");
        assertThat(m.topVia().transport()).isEqualTo("UDP");
        assertThat(m.vias()).hasSize(3);
        assertThat(m.cseq()).isEqualTo(new CSeq(9, "INVITE"));
        assertThat(m.maxForwards()).isEqualTo(68);
        assertThat(m.from().tag()).isEqualTo("98asjd8");
        assertThat(m.to().tag()).isEqualTo("1918181833n");
        assertThat(m.bodyLength()).isEqualTo(150);
    }

    @Test
    void aUserPartHoldingAQuestionMarkIsNoUriHeader() {
        SipUri uri = SipUri.parse(parse("intmeth").requestUri());
        assertThat(uri.user()).isEqualTo("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
        assertThat(uri.host()).isEqualTo("example.com");
        assertThat(uri.headers()).isEmpty();
    }

    @Test
    void aBranchThatIsOnlyTheMagicCookieIsNoRfc3261Branch() {
        assertThat(parse("badbranch").topVia().rfc3261Branch()).isFalse();
    }

    @Test
    void theBinaryBodyOfAMultipartMessageIsFramedByItsContentLength() {
        SipMessage m = parse("mpart01");
        assertThat(m.bodyLength()).isEqualTo(553);
        assertThat(m.buffer().toString(m.bodyStart() + 553 - 24, 24, StandardCharsets.US_ASCII))
                .isEqualTo("\r\n--7a9cbec02ceef655--\r\n");
    }

    @Test
    void aReasonPhraseMayBeUtf8OrEmpty() {
        assertThat(parse("unreason").reasonPhrase()).startsWith("= 2**3 * 5**2 но сто девяносто девять");
        assertThat(parse("noreason").reasonPhrase()).isEmpty();
    }

    @Test
    void aStatusCodeBeyond699CannotBeParsed() {
        assertThatThrownBy(() -> parse("bigcode")).isInstanceOf(SipParseException.class);
    }
}
