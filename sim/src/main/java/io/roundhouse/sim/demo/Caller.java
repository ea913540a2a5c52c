package io.roundhouse.sim.demo;

import io.roundhouse.sim.sip.SipMessage;
import io.roundhouse.sim.sip.SipUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's SIP phone: a user agent on one UDP socket that places calls through the router (its target), ACKs,
 * hangs up and answers a node's BYE (RFC 3261 §12-15, the UAC side). Calls carry a Request-URI on the farm's domain,
 * as phones and carriers address a farm; the router picks the node. Side traffic uses one aimed straight at a node.
 */
final class Caller implements AutoCloseable {

    /** RFC 3261 T1: INVITE and BYE are sent again after 500 ms, 1 s, 2 s without an answer (Timers A and E). */
    private static final long T1_MS = 500;
    private static final int SENDS = 4;

    /** One call: its Call-ID, the final status, the node that answered (its Contact), and its dialog for the BYE. */
    static final class Call {
        final String user;
        final String callId;
        final String fromTag = UUID.randomUUID().toString().substring(0, 8);
        final CompletableFuture<SipMessage> finalResponse = new CompletableFuture<>();
        final CompletableFuture<SipMessage> byeAnswer = new CompletableFuture<>();
        final CompletableFuture<Void> endedByNode = new CompletableFuture<>();
        volatile SipMessage ok;

        Call(String user, String callId) {
            this.user = user;
            this.callId = callId;
        }

        int status() {
            return finalResponse.isDone() && !finalResponse.isCompletedExceptionally() ? finalResponse.join().status()
                    : 0;
        }

        /** {@code host:port} of the node's Contact in the 200, or empty. */
        String answeredBy() {
            return ok == null ? "" : ok.header("Contact").map(c -> {
                SipUri uri = SipUri.parse(c);
                return uri.host() + ":" + uri.port();
            }).orElse("");
        }
    }

    private final String name;
    private final DatagramSocket socket;
    private final InetSocketAddress target;
    private final String domain;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Thread reader;
    private volatile boolean closed;

    Caller(String name, String bindAddress, InetSocketAddress target, String domain) {
        this.name = name;
        this.target = target;
        this.domain = domain;
        try {
            socket = new DatagramSocket(new InetSocketAddress(bindAddress, 0));
        } catch (SocketException e) {
            throw new UncheckedIOException("caller " + name + ": cannot bind " + bindAddress, e);
        }
        reader = new Thread(this::read, "caller-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    String name() {
        return name;
    }

    /** {@code address:port} this phone sends from. */
    String address() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    /** Sends an INVITE for {@code user@domain}; the returned call completes its final response. */
    Call invite(String user) {
        return invite(user, List.of());
    }

    /** The same with more header lines (name, value): the side traffic sent straight to a node names its application. */
    Call invite(String user, List<String[]> extraHeaders) {
        Call call = new Call(user, name + "-" + sequence.incrementAndGet() + "-" + UUID.randomUUID());
        calls.put(call.callId, call);
        String body = "v=0\r\no=" + name + " 1 1 IN IP4 " + host() + "\r\ns=-\r\nc=IN IP4 " + host() + "\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Via", "SIP/2.0/UDP " + address() + ";rport;branch=z9hG4bK" + call.callId});
        headers.add(new String[] {"From", "<sip:" + name + "@" + domain + ">;tag=" + call.fromTag});
        headers.add(new String[] {"To", "<sip:" + user + "@" + domain + ">"});
        headers.add(new String[] {"Call-ID", call.callId});
        headers.add(new String[] {"CSeq", "1 INVITE"});
        headers.add(new String[] {"Contact", "<sip:" + name + "@" + address() + ">"});
        headers.add(new String[] {"Max-Forwards", "70"});
        headers.add(new String[] {"User-Agent", "roundhouse-demo"});
        headers.addAll(extraHeaders);
        headers.add(new String[] {"Content-Type", "application/sdp"});
        headers.add(new String[] {"Content-Length", Integer.toString(body.length())});
        SipMessage invite = new SipMessage("INVITE sip:" + user + "@" + domain + " SIP/2.0", headers, body);
        sendUntil(invite, target, call.finalResponse);
        return call;
    }

    /** Waits for the call's final answer (0 when none came in time). */
    int await(Call call, Duration timeout) {
        try {
            return call.finalResponse.get(timeout.toMillis(), TimeUnit.MILLISECONDS).status();
        } catch (TimeoutException | ExecutionException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    /** Hangs an answered call up (BYE along its route set) and waits for the answer; true when it was 200. */
    boolean hangUp(Call call, Duration timeout) {
        SipMessage ok = call.ok;
        if (ok == null || call.endedByNode.isDone()) {
            return true;
        }
        SipMessage bye = inDialog(call, "BYE", 2, "z9hG4bK" + call.callId + "-bye");
        sendUntil(bye, nextHop(ok), call.byeAnswer);
        try {
            SipMessage answer = call.byeAnswer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            calls.remove(call.callId);
            // 481: the node ended the call at the same moment (its BYE crossed ours).
            return answer.status() == 200 || answer.status() == 481;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void read() {
        byte[] buffer = new byte[65_535];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            byte[] bytes = new byte[packet.getLength()];
            System.arraycopy(buffer, 0, bytes, 0, bytes.length);
            try {
                handle(SipMessage.parse(bytes), (InetSocketAddress) packet.getSocketAddress());
            } catch (RuntimeException e) {
                // a message we cannot read is dropped: the router only sends well-formed ones
            }
        }
    }

    private void handle(SipMessage message, InetSocketAddress from) {
        Call call = calls.get(message.value("Call-ID"));
        if (message.isRequest()) {
            if (message.method().equals("BYE")) {
                // The node ended the call (hold time, or the application hung up): 200 OK (§15.1.2).
                send(answerTo(message, call == null ? 481 : 200), from);
                if (call != null) {
                    call.endedByNode.complete(null);
                    calls.remove(call.callId);
                }
            } else if (!message.method().equals("ACK")) {
                send(answerTo(message, 200), from);
            }
            return;
        }
        if (call == null) {
            return;
        }
        if (message.cseqMethod().equals("INVITE")) {
            int status = message.status();
            if (status < 200) {
                return;
            }
            if (status < 300) {
                call.ok = message;
                ack(call, message);
            } else {
                // §17.1.1.3: the ACK of a non-2xx is part of the INVITE transaction (same branch, hop by hop).
                send(ackOfFailure(call, message), target);
                calls.remove(call.callId);
            }
            call.finalResponse.complete(message);
        } else if (message.cseqMethod().equals("BYE") && message.status() >= 200) {
            call.byeAnswer.complete(message);
        }
    }

    /** §13.2.2.4: the ACK of a 2xx is its own transaction, along the dialog's route set. */
    private void ack(Call call, SipMessage ok) {
        send(inDialog(call, "ACK", 1, "z9hG4bK" + call.callId + "-ack"), nextHop(ok));
    }

    /** A request in the call's dialog: Request-URI the remote Contact, Route the Record-Route reversed (§12.1.2). */
    private SipMessage inDialog(Call call, String method, int cseq, String branch) {
        SipMessage ok = call.ok;
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Via", "SIP/2.0/UDP " + address() + ";rport;branch=" + branch});
        headers.add(new String[] {"From", "<sip:" + name + "@" + domain + ">;tag=" + call.fromTag});
        headers.add(new String[] {"To", ok.value("To")});
        headers.add(new String[] {"Call-ID", call.callId});
        headers.add(new String[] {"CSeq", cseq + " " + method});
        for (String route : routeSet(ok)) {
            headers.add(new String[] {"Route", route});
        }
        headers.add(new String[] {"Max-Forwards", "70"});
        headers.add(new String[] {"Content-Length", "0"});
        return new SipMessage(method + " " + remoteTarget(ok) + " SIP/2.0", headers, "");
    }

    private SipMessage ackOfFailure(Call call, SipMessage failure) {
        List<String[]> headers = new ArrayList<>();
        headers.add(new String[] {"Via", "SIP/2.0/UDP " + address() + ";rport;branch=z9hG4bK" + call.callId});
        headers.add(new String[] {"From", "<sip:" + name + "@" + domain + ">;tag=" + call.fromTag});
        headers.add(new String[] {"To", failure.value("To")});
        headers.add(new String[] {"Call-ID", call.callId});
        headers.add(new String[] {"CSeq", "1 ACK"});
        headers.add(new String[] {"Max-Forwards", "70"});
        headers.add(new String[] {"Content-Length", "0"});
        return new SipMessage("ACK sip:" + call.user + "@" + domain + " SIP/2.0", headers, "");
    }

    private static List<String> routeSet(SipMessage ok) {
        List<String> routes = new ArrayList<>(ok.addresses("Record-Route"));
        Collections.reverse(routes);
        return routes;
    }

    private static String remoteTarget(SipMessage ok) {
        String contact = ok.value("Contact");
        return contact.contains("<") ? contact.substring(contact.indexOf('<') + 1, contact.indexOf('>')) : contact;
    }

    /** The first Route when it is a loose router, else the Request-URI (§12.2.1.1, §16.12). */
    private InetSocketAddress nextHop(SipMessage ok) {
        List<String> routes = routeSet(ok);
        return routes.isEmpty() ? SipUri.parse(remoteTarget(ok)).address() : SipUri.parse(routes.get(0)).address();
    }

    private SipMessage answerTo(SipMessage request, int status) {
        List<String[]> headers = new ArrayList<>();
        request.values("Via").forEach(v -> headers.add(new String[] {"Via", v}));
        headers.add(new String[] {"From", request.value("From")});
        headers.add(new String[] {"To", request.value("To")});
        headers.add(new String[] {"Call-ID", request.value("Call-ID")});
        headers.add(new String[] {"CSeq", request.value("CSeq")});
        headers.add(new String[] {"Content-Length", "0"});
        return new SipMessage("SIP/2.0 " + status + (status == 200 ? " OK" : " Call/Transaction Does Not Exist"),
                headers, "");
    }

    /** Sends now and again at T1, 2*T1, 4*T1 until {@code done} completes (UDP retransmission, Timers A/E). */
    private void sendUntil(SipMessage message, InetSocketAddress to, CompletableFuture<SipMessage> done) {
        send(message, to);
        for (int i = 1; i < SENDS; i++) {
            long delay = T1_MS * ((1L << i) - 1);
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> {
                if (!done.isDone() && !closed) {
                    send(message, to);
                }
            });
        }
    }

    private void send(SipMessage message, InetSocketAddress to) {
        byte[] bytes = message.toBytes();
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        } catch (IOException e) {
            if (!closed) {
                throw new UncheckedIOException("caller " + name + ": send to " + to + " failed", e);
            }
        }
    }

    private String host() {
        return socket.getLocalAddress().getHostAddress();
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
    }
}
