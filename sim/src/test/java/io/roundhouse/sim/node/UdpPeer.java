package io.roundhouse.sim.node;

import io.roundhouse.sim.sip.SipMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A UDP SIP peer on a free loopback port standing in for the router: sends raw requests, reads what comes back. */
final class UdpPeer implements AutoCloseable {

    private final DatagramSocket socket;

    UdpPeer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5_000);
    }

    int port() {
        return socket.getLocalPort();
    }

    void send(String message, int port) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next message received; fails after 5 s. */
    SipMessage receive() {
        byte[] buffer = new byte[65_535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing received on port " + port() + " within 5 s");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] bytes = new byte[packet.getLength()];
        System.arraycopy(buffer, 0, bytes, 0, bytes.length);
        return SipMessage.parse(bytes);
    }

    /** The next final response (100 Trying skipped). */
    SipMessage finalResponse() {
        while (true) {
            SipMessage m = receive();
            if (!m.isRequest() && m.status() >= 200) {
                return m;
            }
        }
    }

    /** An INVITE as the router forwards it: its own Via and Record-Route, and the X-Exec-App headers given. */
    String invite(String user, String callId, String extraHeaders) {
        String body = "v=0\r\no=router 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 16000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return "INVITE sip:" + user + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bKRh" + callId + "\r\n"
                + "Record-Route: <sip:127.0.0.1:" + port() + ";lr>\r\n"
                + "From: \"caller\" <sip:caller@127.0.0.1>;tag=from-" + callId + "\r\n"
                + "To: <sip:" + user + "@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:caller@127.0.0.1:" + port() + ">\r\n"
                + "Max-Forwards: 69\r\n"
                + extraHeaders
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    /** An in-dialog request of the INVITE's dialog (ACK or BYE) towards the node. */
    String inDialog(String method, int cseq, String user, String callId, String toTag) {
        return method + " sip:" + user + "@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bKRh" + callId + method + "\r\n"
                + "From: \"caller\" <sip:caller@127.0.0.1>;tag=from-" + callId + "\r\n"
                + "To: <sip:" + user + "@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Max-Forwards: 69\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Override
    public void close() {
        socket.close();
    }
}
