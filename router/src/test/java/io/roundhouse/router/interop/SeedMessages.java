package io.roundhouse.router.interop;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Valid SIP messages that the robustness test mutates: requests for the router itself, new calls, in-dialog requests,
 * stray responses, compact and folded forms. Vias name the test's own socket (with rport) and in-dialog targets name
 * the test's sink, so whatever the router answers or forwards stays on the test's loopback ports.
 */
final class SeedMessages {

    private SeedMessages() {
    }

    /**
     * @param senderPort the test socket that sends the messages and receives the answers
     * @param routerPort the router under test
     * @param sinkPort   a test socket standing for the far end of in-dialog requests and stray responses
     */
    static List<byte[]> all(int senderPort, int routerPort, int sinkPort) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        String via = "Via: SIP/2.0/UDP 127.0.0.1:" + senderPort + ";branch=z9hG4bKseed%s;rport\r\n";
        List<String> messages = List.of(
                "INVITE sip:1000@127.0.0.1:" + routerPort + " SIP/2.0\r\n"
                        + via.formatted("inv")
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f1\r\n"
                        + "To: <sip:1000@127.0.0.1>\r\n"
                        + "Call-ID: seed-invite@127.0.0.1\r\n"
                        + "CSeq: 1 INVITE\r\n"
                        + "Contact: <sip:fuzz@127.0.0.1:" + senderPort + ">\r\n"
                        + "X-Exec-App: conference\r\n"
                        + "Content-Type: application/sdp\r\n"
                        + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp,
                "OPTIONS sip:127.0.0.1:" + routerPort + " SIP/2.0\r\n"
                        + via.formatted("opt")
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f2\r\n"
                        + "To: <sip:127.0.0.1:" + routerPort + ">\r\n"
                        + "Call-ID: seed-options@127.0.0.1\r\n"
                        + "CSeq: 7 OPTIONS\r\n"
                        + "Accept: application/sdp\r\n"
                        + "Content-Length: 0\r\n\r\n",
                "BYE sip:callee@127.0.0.1:" + sinkPort + " SIP/2.0\r\n"
                        + via.formatted("bye")
                        + "Route: <sip:127.0.0.1:" + routerPort + ";lr>\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f3\r\n"
                        + "To: <sip:1000@127.0.0.1>;tag=t3\r\n"
                        + "Call-ID: seed-bye@127.0.0.1\r\n"
                        + "CSeq: 2 BYE\r\n"
                        + "Content-Length: 0\r\n\r\n",
                "CANCEL sip:1000@127.0.0.1:" + routerPort + " SIP/2.0\r\n"
                        + via.formatted("cancel")
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f4\r\n"
                        + "To: <sip:1000@127.0.0.1>\r\n"
                        + "Call-ID: seed-cancel@127.0.0.1\r\n"
                        + "CSeq: 1 CANCEL\r\n"
                        + "Content-Length: 0\r\n\r\n",
                "ACK sip:callee@127.0.0.1:" + sinkPort + " SIP/2.0\r\n"
                        + via.formatted("ack")
                        + "Route: <sip:127.0.0.1:" + routerPort + ";lr>\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f5\r\n"
                        + "To: <sip:1000@127.0.0.1>;tag=t5\r\n"
                        + "Call-ID: seed-ack@127.0.0.1\r\n"
                        + "CSeq: 1 ACK\r\n"
                        + "Content-Length: 0\r\n\r\n",
                // Compact forms (RFC 3261 7.3.3), a folded header (7.3.1), an unknown method and header.
                "MESSAGE sip:1000@127.0.0.1:" + routerPort + " SIP/2.0\r\n"
                        + "v: SIP/2.0/UDP 127.0.0.1:" + senderPort + ";branch=z9hG4bKseedmsg;rport\r\n"
                        + "Max-Forwards: 0070\r\n"
                        + "f: <sip:fuzz@127.0.0.1>;tag=f6\r\n"
                        + "t: <sip:1000@127.0.0.1>\r\n"
                        + "i: seed-message@127.0.0.1\r\n"
                        + "CSeq: 1 MESSAGE\r\n"
                        + "Subject: a folded\r\n   subject line\r\n"
                        + "X-Unknown-Header: kept as is\r\n"
                        + "c: text/plain\r\n"
                        + "l: 5\r\n\r\nhello",
                "FROBNICATE sip:1000@127.0.0.1:" + routerPort + " SIP/2.0\r\n"
                        + via.formatted("frob")
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f7\r\n"
                        + "To: <sip:1000@127.0.0.1>\r\n"
                        + "Call-ID: seed-frob@127.0.0.1\r\n"
                        + "CSeq: 1 FROBNICATE\r\n"
                        + "Content-Length: 0\r\n\r\n",
                // Stray responses: the top Via names the router, the next one the sink.
                "SIP/2.0 200 OK\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + routerPort + ";branch=z9hG4bKnotours\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + sinkPort + ";branch=z9hG4bKsink\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f8\r\n"
                        + "To: <sip:1000@127.0.0.1>;tag=t8\r\n"
                        + "Call-ID: seed-response@127.0.0.1\r\n"
                        + "CSeq: 1 INVITE\r\n"
                        + "Contact: <sip:callee@127.0.0.1:" + sinkPort + ">\r\n"
                        + "Content-Length: 0\r\n\r\n",
                "SIP/2.0 180 Ringing\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.1:" + routerPort + ";branch=z9hG4bKnotours2, "
                        + "SIP/2.0/UDP 127.0.0.1:" + sinkPort + ";branch=z9hG4bKsink2\r\n"
                        + "From: <sip:fuzz@127.0.0.1>;tag=f9\r\n"
                        + "To: <sip:1000@127.0.0.1>;tag=t9\r\n"
                        + "Call-ID: seed-ringing@127.0.0.1\r\n"
                        + "CSeq: 1 INVITE\r\n"
                        + "Content-Length: 0\r\n\r\n");
        return messages.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
