package io.roundhouse.router.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lazy parser on raw-wire fixtures: every Parsing feature of issue 3, and bad input with its offset. */
class SipParserTest {

    private static SipMessage parse(String text, boolean datagram) {
        return SipParser.parse(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)), datagram);
    }

    @Test
    void aTypicalInviteIsIndexedAndItsProxyFieldsRead() {
        SipMessage m = Fixtures.parse("invite-basic.sip");
        assertThat(m.isRequest()).isTrue();
        assertThat(m.method()).isEqualTo("INVITE");
        assertThat(m.requestUri()).isEqualTo("sip:conf-1000@example.com");
        assertThat(m.headerCount()).isEqualTo(9);
        Via via = m.topVia();
        assertThat(via.transport()).isEqualTo("UDP");
        assertThat(via.host()).isEqualTo("192.0.2.10");
        assertThat(via.port()).isEqualTo(5060);
        assertThat(via.branch()).isEqualTo("z9hG4bK776asdhds");
        assertThat(via.rport()).isZero();
        assertThat(m.callId()).isEqualTo("a84b4c76e66710@pc33.atlanta.example.com");
        assertThat(m.cseq()).isEqualTo(new CSeq(314159, "INVITE"));
        assertThat(m.from().tag()).isEqualTo("1928301774");
        assertThat(m.from().uri()).isEqualTo("sip:alice@atlanta.example.com");
        assertThat(m.to().tag()).isNull();
        assertThat(m.maxForwards()).isEqualTo(70);
        assertThat(m.bodyLength()).isEqualTo(14);
        assertThat(m.toString()).endsWith("\r\n\r\nv=0\r\no=- 0 0\r\n");
        assertThat(m.defect()).isNull();
    }

    @Test
    void compactHeaderFormsResolveToTheirLongNames() {
        SipMessage m = Fixtures.parse("compact-forms.sip");
        assertThat(m.topVia().transport()).isEqualTo("TCP");
        assertThat(m.callId()).isEqualTo("compact-call-1@example.com");
        assertThat(m.from().tag()).isEqualTo("c1");
        assertThat(m.to().uri()).isEqualTo("sip:2001@example.com");
        assertThat(m.values("Contact")).containsExactly("<sip:carol@192.0.2.11:5070;transport=tcp>");
        assertThat(m.values("Supported")).containsExactly("timer", "replaces");
        assertThat(m.values("k")).containsExactly("timer", "replaces");
        assertThat(m.values("Content-Type")).containsExactly("application/sdp");
        assertThat(m.hasContentLength()).isTrue();
        assertThat(m.bodyLength()).isEqualTo(5);
    }

    @Test
    void foldedLinesAreOneValueWithTheFoldsCollapsed() {
        SipMessage m = Fixtures.parse("folded-headers.sip");
        assertThat(m.topVia().branch()).isEqualTo("z9hG4bKfold1");
        assertThat(m.topVia().port()).isEqualTo(5060);
        assertThat(m.values("Subject")).containsExactly("I know you're there, pick up the phone and talk to me!");
        assertThat(m.headerCount()).isEqualTo(8);
    }

    @Test
    void commaJoinedAndRepeatedValuesAreSplitOutsideQuotesAndBrackets() {
        SipMessage m = Fixtures.parse("comma-joined.sip");
        List<ValueRange> vias = m.vias();
        assertThat(vias).hasSize(3);
        Via second = Via.parse(m.text(vias.get(1)), 0);
        assertThat(second.host()).isEqualTo("[2001:db8::1]");
        assertThat(second.hostAddress()).isEqualTo("2001:db8::1");
        assertThat(second.port()).isEqualTo(5061);
        assertThat(second.received()).isEqualTo("2001:db8::9");
        assertThat(Via.parse(m.text(vias.get(2)), 0).port()).isEqualTo(-1);
        List<String> routes = m.values("Route");
        assertThat(routes).containsExactly("<sip:192.0.2.1;lr>", "\"Proxy, two\" <sip:192.0.2.2;lr;transport=tcp>",
                "<sip:192.0.2.3;lr>");
        SipUri two = NameAddr.parse(routes.get(1), 0, "Route").sipUri();
        assertThat(two.looseRouter()).isTrue();
        assertThat(two.transportParam()).isEqualTo("tcp");
        assertThat(m.values("Record-Route")).containsExactly("<sip:192.0.2.4;lr>");
    }

    @Test
    void leadingZerosInNumbersAreAccepted() {
        SipMessage m = Fixtures.parse("leading-zeros.sip");
        assertThat(m.maxForwards()).isEqualTo(70);
        assertThat(m.cseq().number()).isEqualTo(1);
        assertThat(m.topVia().port()).isEqualTo(5060);
        assertThat(m.bodyLength()).isEqualTo(5);
    }

    @Test
    void unknownMethodsAndHeadersAreKeptAsTheyAre() {
        SipMessage m = Fixtures.parse("unknown-method-and-headers.sip");
        assertThat(m.method()).isEqualTo("FOOBAR");
        assertThat(m.cseq().method()).isEqualTo("FOOBAR");
        // An unknown header is not a list: its commas are not split.
        assertThat(m.values("x-something-new")).containsExactly("value; with=params, and, commas", "second");
        assertThat(m.values("P-Asserted-Identity")).containsExactly("\"Alice\" <sip:alice@example.com>");
        assertThat(m.topVia().branch()).isEqualTo("z9hG4bKfoo");
    }

    @Test
    void headerNamesAndParameterNamesAreCaseInsensitive() {
        SipMessage m = Fixtures.parse("case-insensitive.sip");
        assertThat(m.topVia().branch()).isEqualTo("z9hG4bKcase");
        assertThat(m.topVia().transport()).isEqualTo("UDP");
        assertThat(m.from().tag()).isEqualTo("k1");
        assertThat(m.callId()).isEqualTo("case-1@example.com");
        assertThat(m.cseq().number()).isEqualTo(3);
        assertThat(m.maxForwards()).isEqualTo(70);
        assertThat(m.hasContentLength()).isTrue();
    }

    @Test
    void aResponseStatusLineIsRead() {
        SipMessage m = Fixtures.parse("response-180.sip");
        assertThat(m.isRequest()).isFalse();
        assertThat(m.statusCode()).isEqualTo(180);
        assertThat(m.reasonPhrase()).isEqualTo("Ringing");
        assertThat(m.vias()).hasSize(2);
        assertThat(m.topVia().branch()).isEqualTo("z9hG4bKRh1.0");
        assertThat(m.to().tag()).isEqualTo("314");
    }

    @Test
    void aStartLineThatIsNeitherRequestNorResponseCannotBeParsed() {
        assertThatThrownBy(() -> Fixtures.parse("bad-start-line.sip"))
                .isInstanceOfSatisfying(SipParseException.class, e -> {
                    assertThat(e.offset()).isEqualTo(6);
                    assertThat(e.reason()).contains("neither a Request-Line nor a Status-Line");
                });
    }

    @Test
    void aMessageWhoseHeadersNeverEndCannotBeParsedFromAStream() {
        assertThatThrownBy(() -> SipParser.parse(Fixtures.buffer("truncated.sip"), false))
                .isInstanceOfSatisfying(SipParseException.class,
                        e -> assertThat(e.reason()).isEqualTo("end of header section (empty line) not found"));
    }

    @Test
    void aDatagramEndingAfterAWholeHeaderLineWithoutTheEmptyLineIsADefect() {
        SipMessage m = Fixtures.parse("truncated.sip");
        assertThat(m.defect().reason()).isEqualTo("header section not ended by an empty line");
        assertThat(m.defect().offset()).isEqualTo(Fixtures.bytes("truncated.sip").length);
    }

    @Test
    void aDatagramCutInsideAHeaderLineCannotBeParsed() {
        assertThatThrownBy(() -> parse("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: x", true))
                .isInstanceOf(SipParseException.class);
    }

    @Test
    void aMalformedHeaderLineIsADefectAtItsOffset() {
        SipMessage m = Fixtures.parse("bad-header-line.sip");
        assertThat(m.defect()).isNotNull();
        assertThat(m.defect().offset()).isEqualTo(Fixtures.text("bad-header-line.sip").indexOf("This line"));
        assertThat(m.defect().reason()).contains("malformed header line");
        // What a proxy needs to answer 400 is still there.
        assertThat(m.topVia().branch()).isEqualTo("z9hG4bKbadhdr");
    }

    @Test
    void aNonNumericMaxForwardsIsReportedAtTheBadCharacter() {
        SipMessage m = Fixtures.parse("bad-max-forwards.sip");
        assertThatThrownBy(m::maxForwards).isInstanceOfSatisfying(SipParseException.class, e -> {
            assertThat(e.offset()).isEqualTo(Fixtures.text("bad-max-forwards.sip").indexOf("7x") + 1);
            assertThat(e.reason()).isEqualTo("Max-Forwards is not a number");
        });
    }

    @Test
    void bytesBeyondContentLengthInADatagramAreDiscarded() {
        SipMessage m = parse("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nabcdef", true);
        assertThat(m.bodyLength()).isEqualTo(2);
        assertThat(m.length()).isEqualTo(m.toString().length());
        assertThat(m.toString()).endsWith("\r\n\r\nab");
    }

    @Test
    void aContentLengthLargerThanTheDatagramIsADefect() {
        String text = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 20\r\n\r\nabc";
        SipMessage m = parse(text, true);
        assertThat(m.defect().reason()).isEqualTo("Content-Length 20 exceeds the 3 body bytes received");
        assertThat(m.defect().offset()).isEqualTo(text.indexOf("abc"));
    }

    @Test
    void aMissingContentLengthIsFineOverUdpButADefectOverTcp() {
        String text = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\nbody";
        assertThat(parse(text, true).bodyLength()).isEqualTo(4);
        assertThat(parse(text, false).defect().reason()).contains("missing Content-Length");
    }

    @Test
    void crlfBeforeTheStartLineIsIgnoredAndCrlfAloneIsAKeepAlive() {
        SipMessage m = parse("\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n", true);
        assertThat(m.method()).isEqualTo("OPTIONS");
        assertThat(SipParser.isKeepAlive(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII))))
                .isTrue();
    }

    @Test
    void aWrongSipVersionIsADefectForA505() {
        SipMessage m = parse("OPTIONS sip:a@b SIP/3.0\r\nl: 0\r\n\r\n", true);
        assertThat(m.badVersion()).isTrue();
        assertThat(m.defect().offset()).isEqualTo("OPTIONS sip:a@b ".length());
    }

    @Test
    void aStatusCodeOutOfRangeCannotBeParsed() {
        assertThatThrownBy(() -> parse("SIP/2.0 99 Odd\r\n\r\n", true)).isInstanceOf(SipParseException.class);
        assertThatThrownBy(() -> parse("SIP/2.0 1000 Odd\r\n\r\n", true))
                .isInstanceOfSatisfying(SipParseException.class, e -> assertThat(e.offset()).isEqualTo(8));
    }

    @Test
    void viaDefectsNameTheirCause() {
        assertThatThrownBy(() -> Via.parse("SIP/2.0/UDP", 10))
                .isInstanceOfSatisfying(SipParseException.class, e -> assertThat(e.reason()).contains("sent-by"));
        assertThatThrownBy(() -> Via.parse("SIP/3.0/UDP host", 0))
                .isInstanceOfSatisfying(SipParseException.class,
                        e -> assertThat(e.reason()).contains("sent-protocol"));
        assertThatThrownBy(() -> Via.parse("SIP/2.0/UDP host:99999", 0)).isInstanceOf(SipParseException.class);
        assertThat(Via.parse("SIP / 2.0 / UDP host ; branch = z9hG4bKx", 0).branch()).isEqualTo("z9hG4bKx");
    }

    @Test
    void receivedAndRportAreAddedForTheRealSource() {
        Via via = Via.parse("SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bKa", 0);
        assertThat(via.withSource("10.0.0.1", 4000))
                .isEqualTo("SIP/2.0/UDP 192.0.2.1:5060;rport=4000;branch=z9hG4bKa;received=10.0.0.1");
        Via same = Via.parse("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa", 0);
        assertThat(same.withSource("10.0.0.1", 5060)).isEqualTo(same.text());
        Via v6 = Via.parse("SIP/2.0/UDP host.example;branch=z9hG4bKa", 0);
        assertThat(v6.withSource("::1", 5060)).endsWith(";received=::1");
    }

    @Test
    void sipUrisExposeUserHostPortAndParameters() {
        SipUri u = SipUri.parse("sip:conf-1000:secret@[2001:db8::2]:5070;transport=TCP;lr?subject=x");
        assertThat(u.user()).isEqualTo("conf-1000");
        assertThat(u.hostAddress()).isEqualTo("2001:db8::2");
        assertThat(u.port()).isEqualTo(5070);
        assertThat(u.transportParam()).isEqualTo("tcp");
        assertThat(u.looseRouter()).isTrue();
        assertThat(SipUri.parse("sips:a.example").portOrDefault()).isEqualTo(5061);
        assertThat(SipUri.parse("tel:+15551234").isSip()).isFalse();
        assertThatThrownBy(() -> SipUri.parse("sip:host:notaport")).isInstanceOf(SipParseException.class);
        assertThat(SipUri.sameHost("[::1]", "0:0:0:0:0:0:0:1")).isTrue();
    }
}
