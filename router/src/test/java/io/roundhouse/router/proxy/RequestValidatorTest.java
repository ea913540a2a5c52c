package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.roundhouse.router.proxy.RequestValidator.Drop;
import io.roundhouse.router.proxy.RequestValidator.Reject;
import io.roundhouse.router.proxy.RequestValidator.Verdict;
import io.roundhouse.router.sip.Fixtures;
import io.roundhouse.router.sip.SipParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the validator makes of each kind of defect (§16.3 items 1, 2, 5), on RFC 4475's messages where it has one. */
@Timeout(10)
class RequestValidatorTest {

    private final RequestValidator validator = new RequestValidator();

    private Verdict fixture(String name) {
        return validator.validate(Fixtures.parse("rfc4475/" + name + ".sip"));
    }

    private Verdict text(String message) {
        return validator.validate(SipParser.parse(Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8)),
                true));
    }

    private static String options(String extraHeaders) {
        return "OPTIONS sip:1000@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:1000@example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n"
                + extraHeaders + "Content-Length: 0\r\n\r\n";
    }

    private static Reject reject(Verdict v) {
        assertThat(v).isInstanceOf(Reject.class);
        return (Reject) v;
    }

    @Test
    void aQuotedPairEscapingAControlCharacterInADisplayNameIsValid() {
        assertThat(fixture("intmeth")).isEqualTo(RequestValidator.VALID);
    }

    @Test
    void whiteSpaceErrorsInTheRequestLineAre400Not505() {
        assertThat(reject(fixture("lwsstart")).status()).isEqualTo(400);
        assertThat(reject(fixture("trws")).status()).isEqualTo(400);
        assertThat(reject(fixture("lwsruri")).detail()).contains("malformed Request-Line");
    }

    @Test
    void anUnknownSipVersionIs505EvenWhenItsViaCarriesTheSameVersion() {
        Reject r = reject(fixture("badvers"));
        assertThat(r.status()).isEqualTo(505);
        assertThat(r.phrase()).isEqualTo("Version Not Supported");
    }

    @Test
    void aRequestUriInAngleBracketsIs400() {
        assertThat(reject(fixture("ltgtruri")).detail()).contains("not an absolute URI");
    }

    @Test
    void aRequestUriCarryingHeadersIs400() {
        assertThat(reject(fixture("escruri")).detail()).isEqualTo("Request-URI with headers (?Route=%3Csip:example.com%3E)");
    }

    @Test
    void aRequestUriOfAnUnhandledSchemeIs416() {
        Reject r = reject(fixture("unkscm"));
        assertThat(r.status()).isEqualTo(416);
        assertThat(r.detail()).contains("nobodyknowsthisscheme");
        assertThat(reject(fixture("novelsc")).status()).isEqualTo(416);
    }

    @Test
    void aTelRequestUriIsValid() {
        assertThat(text(options("").replace("OPTIONS sip:1000@example.com", "OPTIONS tel:+15551234")))
                .isEqualTo(RequestValidator.VALID);
    }

    @Test
    void aProxyRequireOptionTagTheRouterDoesNotSupportIs420WithUnsupported() {
        Reject r = reject(fixture("bext01"));
        assertThat(r.status()).isEqualTo(420);
        assertThat(r.headers()).containsExactly("Unsupported: noProxiesSupportThis, norDoAnyProxiesSupportThis");
    }

    @Test
    void aSingleInstanceHeaderThatAppearsTwiceIs400() {
        assertThat(reject(fixture("multi01")).detail()).isEqualTo("CSeq appears more than once");
        assertThat(reject(fixture("mcl01")).detail()).isEqualTo("Content-Length appears more than once");
        assertThat(reject(text(options("Max-Forwards: 70\r\nMax-Forwards: 69\r\n"))).detail())
                .isEqualTo("Max-Forwards appears more than once");
    }

    @Test
    void anUnquotedDisplayNameWithACommaIs400() {
        // The archive's baddn.dat lacks the empty line ending its headers; with it, the display name is the defect.
        String baddn = new String(Fixtures.bytes("rfc4475/baddn.sip"), StandardCharsets.UTF_8) + "\r\n";
        assertThat(reject(text(baddn)).detail()).isEqualTo("From: display name with ',' must be quoted");
    }

    @Test
    void aHeaderSectionWithoutItsEmptyLineIs400() {
        assertThat(reject(fixture("baddn")).detail()).isEqualTo("header section not ended by an empty line");
    }

    @Test
    void anUnterminatedQuoteInADisplayNameIs400() {
        assertThat(reject(fixture("quotbal")).detail()).isEqualTo("To: unterminated quoted string");
    }

    @Test
    void whiteSpaceAroundTheUriInsideAngleBracketsIs400() {
        assertThat(reject(fixture("badaspec")).detail()).isEqualTo("To: white space inside <> around the URI");
    }

    @Test
    void aContactUriWithHeadersOutsideAngleBracketsIs400() {
        assertThat(reject(fixture("regbadct")).detail()).isEqualTo("Contact: a URI with '?' or ',' must be enclosed in <>");
    }

    @Test
    void aRouteThatIsNoSipUriIs400() {
        assertThat(reject(text(options("Route: <tel:+15551234>\r\n"))).detail()).isEqualTo("Route with a non-SIP URI");
        assertThat(reject(text(options("Route: <sip:a.example.com;lr\r\n"))).detail()).isEqualTo("Route: missing '>'");
    }

    @Test
    void aControlCharacterOutsideAQuotedPairIs400() {
        assertThat(reject(text(options("Subject: a\u0007b\r\n"))).detail()).isEqualTo("control character 0x7 in a header line");
    }

    @Test
    void anAckThatWouldBeRefusedIsDroppedInstead() {
        String ack = options("").replace("OPTIONS sip", "ACK sip").replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
        assertThat(text(ack)).isInstanceOf(Drop.class);
    }

    @Test
    void aRequestWithoutViaIsDropped() {
        assertThat(text(options("").replaceFirst("Via: [^\r]*\r\n", ""))).isInstanceOf(Drop.class);
    }
}
