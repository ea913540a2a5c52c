package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.roundhouse.router.sip.Fixtures;
import io.roundhouse.router.sip.HeaderName;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.sip.ValueRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Forwarding keeps every byte the proxy has no reason to touch (§16.6), and edits only what it must. */
class MessageWriterTest {

    private final MessageWriter writer = new MessageWriter(UnpooledByteBufAllocator.DEFAULT, "Roundhouse");

    private static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
        }
    }

    @Test
    void aForwardedRequestIsTheOriginalPlusOurViaAndRecordRouteWithMaxForwardsDecremented() {
        SipMessage m = Fixtures.parse("folded-headers.sip");
        String original = Fixtures.text("folded-headers.sip");
        String out = text(writer.forwardRequest(m, new ForwardEdits(null, "SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKRh1.0",
                List.of("<sip:10.0.0.1:5060;lr>"), null, List.of(), null, Map.of())));
        String expected = original
                .replace("OPTIONS sip:alice@example.com SIP/2.0\r\n", "OPTIONS sip:alice@example.com SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKRh1.0\r\n"
                        + "Record-Route: <sip:10.0.0.1:5060;lr>\r\n")
                .replace("Max-Forwards: 70\r\n", "Max-Forwards: 69\r\n");
        // The folded Via and Subject lines travel exactly as received.
        assertThat(out).isEqualTo(expected);
    }

    @Test
    void receivedAndRportGoIntoTheTopViaValueOnlyAndOurRouteValueIsRemoved() {
        SipMessage m = Fixtures.parse("comma-joined.sip");
        List<ValueRange> routes = m.ranges(HeaderName.ROUTE);
        String out = text(writer.forwardRequest(m, new ForwardEdits("sip:new@192.0.2.50", "SIP/2.0/TCP h:1;branch=b",
                List.of(), "SIP/2.0/UDP 192.0.2.13:5060;branch=z9hG4bKtop;received=10.9.9.9", List.of(routes.get(0)),
                "<sip:last@192.0.2.60>", Map.of("X-Exec-App", "Queue"))));
        assertThat(out).startsWith("BYE sip:new@192.0.2.50 SIP/2.0\r\nVia: SIP/2.0/TCP h:1;branch=b\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.13:5060;branch=z9hG4bKtop;received=10.9.9.9, SIP/2.0/TCP [2001:db8::1]:5061;"
                + "branch=z9hG4bKmid;received=2001:db8::9\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.14;branch=z9hG4bKbottom\r\n"
                + "Route: \"Proxy, two\" <sip:192.0.2.2;lr;transport=tcp>\r\n"
                + "Route: <sip:192.0.2.3;lr>\r\n");
        assertThat(out).endsWith("Content-Length: 0\r\nRoute: <sip:last@192.0.2.60>\r\nX-Exec-App: Queue\r\n\r\n");
    }

    @Test
    void everyExecAppHeaderOfTheRequestIsRemovedAndOnlyTheAddedOnesGoOut() {
        SipMessage m = Fixtures.parse("invite-basic.sip");
        String withForeign = Fixtures.text("invite-basic.sip").replace("Content-Type:",
                "X-Exec-App: Evil\r\nx-exec-app-data: 1,placement=x\r\nX-Exec-App-Placement: y\r\nContent-Type:");
        SipMessage foreign = io.roundhouse.router.sip.SipParser.parse(io.netty.buffer.Unpooled.copiedBuffer(withForeign,
                StandardCharsets.UTF_8), true);
        ForwardEdits none = new ForwardEdits(null, "v", List.of(), null, List.of(), null, Map.of());
        ForwardEdits ours = new ForwardEdits(null, "v", List.of(), null, List.of(), null, Map.of("X-Exec-App", "Queue"));
        assertThat(text(writer.forwardRequest(foreign, none))).doesNotContainIgnoringCase("X-Exec-App");
        assertThat(text(writer.forwardRequest(foreign, ours))).containsOnlyOnce("X-Exec-App")
                .contains("X-Exec-App: Queue\r\n").doesNotContain("Evil");
        assertThat(text(writer.forwardRequest(m, none))).endsWith("\r\n\r\nv=0\r\no=- 0 0\r\n");
    }

    @Test
    void aForwardedResponseLosesOnlyTheTopVia() {
        SipMessage m = Fixtures.parse("response-180.sip");
        String out = text(writer.forwardResponse(m));
        assertThat(out).isEqualTo(Fixtures.text("response-180.sip")
                .replace("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKRh1.0\r\n", ""));
    }

    @Test
    void aGeneratedResponseCopiesViaFromToCallIdCSeqAndTagsTo() {
        SipMessage m = Fixtures.parse("invite-basic.sip");
        String out = text(writer.response(m, "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060", 483,
                "Too Many Hops", "tt", List.of("Warning: 399 h \"x\"")));
        assertThat(out).isEqualTo("SIP/2.0 483 Too Many Hops\r\n"
                + "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060\r\n"
                + "To: Bob <sip:conf-1000@example.com>;tag=tt\r\n"
                + "From: \"Alice, the caller\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                + "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                + "CSeq: 314159 INVITE\r\n"
                + "Server: Roundhouse\r\n"
                + "Warning: 399 h \"x\"\r\n"
                + "Content-Length: 0\r\n\r\n");
    }
}
