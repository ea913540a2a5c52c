package io.roundhouse.router.testing;

import io.roundhouse.router.sip.NameAddr;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The caller's side of a dialog built from a 2xx (§12.1.2): route set = the Record-Route values reversed, remote
 * target = Contact. Makes the ACK and in-dialog requests a UAC sends (§12.2.1.1).
 */
public final class Dialog {

    private final SipTestAgent agent;
    private final Received ok;
    private final List<String> routeSet;
    private final String remoteTarget;
    private final String fromTag;
    private final Transport transport;

    public Dialog(SipTestAgent agent, Received ok, String fromTag, Transport transport) {
        this.agent = agent;
        this.ok = ok;
        List<String> rr = new ArrayList<>(ok.headers("Record-Route"));
        Collections.reverse(rr);
        this.routeSet = rr;
        this.remoteTarget = NameAddr.parse(ok.header("Contact"), 0, "Contact").uri();
        this.fromTag = fromTag;
        this.transport = transport;
    }

    public List<String> routeSet() {
        return routeSet;
    }

    /** Where the next in-dialog request goes: the first Route, else the remote target. */
    public InetSocketAddress nextHop() {
        String uri = routeSet.isEmpty() ? remoteTarget : NameAddr.parse(routeSet.get(0), 0, "Route").uri();
        SipUri u = SipUri.parse(uri);
        return new InetSocketAddress(u.hostAddress(), u.portOrDefault());
    }

    /** An in-dialog request; the ACK for the 2xx uses the INVITE's CSeq number. */
    public String request(String method, long cseq) {
        RequestBuilder b = agent.request(method, remoteTarget).transport(transport).callId(ok.callId()).cseq(cseq)
                .fromTag(fromTag).to(ok.header("To"));
        for (String r : routeSet) {
            b.route(r);
        }
        return b.build();
    }

    public void send(String method, long cseq) {
        agent.send(request(method, cseq), nextHop(), transport);
    }
}
