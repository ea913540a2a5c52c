package io.roundhouse.router.proxy;

import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import io.roundhouse.router.sip.SipUri;
import io.roundhouse.router.sip.Via;
import io.roundhouse.router.transport.Destination;
import io.roundhouse.router.transport.ListenPoint;
import io.roundhouse.router.transport.Transport;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Who the router is on the wire: the host:port it writes into Via and Record-Route, and the test "is this URI or Via
 * mine" that Route pre-processing (§16.4), loop detection (§16.3) and response matching (§18.1.2) need.
 */
public final class LocalAddresses {

    private final List<ListenPoint> points;
    private final List<String> hosts = new ArrayList<>();
    /** The listening ports, as ints: asked for every response (isOurVia), where a boxed lookup allocated each time. */
    private final int[] ports;
    private final Optional<String> advertised;
    /** Where callers keep their port: the ports for new calls ({@link ListenPoint#portsForNewCalls}); else none. */
    private final List<ListenPoint> callersPorts;
    /** Their hosts as a Route names them, found once; null where any host of ours will do (advertised, wildcard). */
    private final List<String> callersPortHosts = new ArrayList<>();

    public LocalAddresses(List<ListenPoint> points, Optional<String> advertised) {
        this(points, advertised, false);
    }

    /**
     * @param callersKeepTheirPort {@code sip.callers-keep-their-port}: a caller's side is record-routed with the UDP
     *                             socket its request came in on, not the router's own (docs/security.md, "A port for
     *                             new calls")
     */
    public LocalAddresses(List<ListenPoint> points, Optional<String> advertised, boolean callersKeepTheirPort) {
        this.points = List.copyOf(points);
        this.advertised = advertised;
        this.callersPorts = callersKeepTheirPort ? ListenPoint.portsForNewCalls(points) : List.of();
        for (ListenPoint p : callersPorts) {
            InetAddress a = p.address().getAddress();
            callersPortHosts.add(advertised.isPresent() || a.isAnyLocalAddress() ? null : NetUtil.toAddressString(a));
        }
        advertised.ifPresent(hosts::add);
        this.ports = points.stream().mapToInt(p -> p.address().getPort()).distinct().toArray();
        for (ListenPoint p : points) {
            InetAddress a = p.address().getAddress();
            if (a.isAnyLocalAddress()) {
                try {
                    hosts.add(NetUtil.toAddressString(InetAddress.getLocalHost()));
                } catch (UnknownHostException e) {
                    // Via and Record-Route would name loopback, which no remote peer can reach: say so once.
                    LoggerFactory.getLogger(LocalAddresses.class).warn("listening on {} but this host's own address is"
                            + " unknown ({}): Via and Record-Route will name 127.0.0.1; set sip.advertised-address",
                            p.address(), e.getMessage());
                    hosts.add("127.0.0.1");
                }
            } else {
                hosts.add(NetUtil.toAddressString(a));
            }
        }
    }

    /** True when {@code uri} designates this router: one of its hosts and one of its ports (§16.4). */
    public boolean isUs(SipUri uri) {
        return uri.isSip() && isOurPort(uri.portOrDefault()) && isOurHost(uri.hostAddress());
    }

    /** True when {@code via} carries this router's sent-by. */
    public boolean isOurVia(Via via) {
        return isOurPort(via.port() < 0 ? 5060 : via.port()) && isOurHost(via.hostAddress());
    }

    private boolean isOurPort(int port) {
        for (int p : ports) {
            if (p == port) {
                return true;
            }
        }
        return false;
    }

    private boolean isOurHost(String host) {
        for (String h : hosts) {
            if (SipUri.sameHost(h, host)) {
                return true;
            }
        }
        return false;
    }

    /** The listen point to send from for {@code transport} towards {@code remote}: same transport and family. */
    public ListenPoint pointFor(Transport transport, InetSocketAddress remote) {
        boolean v6 = remote != null && remote.getAddress() instanceof Inet6Address;
        ListenPoint own = ListenPoint.own(points, transport, v6);
        if (own != null) {
            return own;
        }
        for (ListenPoint p : points) {
            if (p.isV6() == v6) {
                return p;
            }
        }
        return points.get(0);
    }

    /**
     * The listen point that the side a request came from is record-routed with: the router's own for that side's
     * transport and family ({@link #pointFor}), or, where callers keep their port, the UDP socket the request came in
     * on, so that a caller given one port (a firewall opened for it alone, a NAT that lets back only what comes from
     * where it sent, RFC 3581 §4) sends its in-dialog requests there and gets the other side's from there.
     */
    public ListenPoint sideOf(Transport transport, InetSocketAddress source, Channel arrivedOn) {
        ListenPoint callersPort = transport == Transport.UDP ? callersPortOn(arrivedOn) : null;
        return callersPort != null ? callersPort : pointFor(transport, source);
    }

    /** The listen point a request to {@code dest} leaves from, and so names in its Via: the UDP socket it names. */
    public ListenPoint sendingPoint(Destination dest) {
        ListenPoint callersPort = dest.transport() == Transport.UDP ? callersPortOn(dest.connection()) : null;
        return callersPort != null ? callersPort : pointFor(dest.transport(), dest.address());
    }

    /** The callers' port that is {@code socket}, or null (none, or callers do not keep their port). */
    private ListenPoint callersPortOn(Channel socket) {
        for (ListenPoint p : callersPorts) {
            if (p.channel() == socket) {
                return p;
            }
        }
        return null;
    }

    /**
     * Where callers keep their port: the UDP socket that {@code route}, a Route value of ours, names, when it is not
     * the router's own (a port for new calls: a request to that side leaves from where the side was record-routed);
     * else null, and a request leaves from the router's own socket as always.
     */
    public ListenPoint portForNewCallsNamedBy(SipUri route) {
        if (callersPorts.isEmpty() || (route.transportParam() != null && !route.transportParam().equals("udp"))) {
            return null;
        }
        int port = route.portOrDefault();
        for (int i = 0; i < callersPorts.size(); i++) {
            String host = callersPortHosts.get(i);
            if (callersPorts.get(i).address().getPort() == port
                    && (host == null || SipUri.sameHost(host, route.hostAddress()))) {
                return callersPorts.get(i);
            }
        }
        return null;
    }

    /** {@code sip.callers-keep-their-port}. */
    public boolean callersKeepTheirPort() {
        return !callersPorts.isEmpty();
    }

    /** {@code host:port} for a Via or URI written for {@code point}. */
    public String hostPort(ListenPoint point) {
        String host = advertised.orElseGet(() -> {
            InetAddress a = point.address().getAddress();
            return a.isAnyLocalAddress() ? hosts.get(0) : NetUtil.toAddressString(a);
        });
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return host + ":" + point.address().getPort();
    }

    /** The Via value this router adds when sending over {@code transport} from {@code point}. */
    public String via(Transport transport, ListenPoint point, String branch) {
        return "SIP/2.0/" + transport.viaName() + " " + hostPort(point) + ";branch=" + branch;
    }

    /**
     * The Record-Route URI for the side reached over {@code transport}; a transport parameter only for TCP, since UDP
     * is the default (§19.1.2); {@code signature} is the dialog's {@link RouteSigner} value.
     */
    public String recordRoute(Transport transport, ListenPoint point, String signature) {
        return recordRoute(transport, point, signature, false, null);
    }

    /**
     * As above; a {@code sips:} URI for a request whose Request-URI is {@code sips:} (§16.6 item 4), over TLS (no
     * transport parameter) or secure WebSocket ({@code transport=ws}, RFC 7118 §5).
     */
    public String recordRoute(Transport transport, ListenPoint point, String signature, boolean sips) {
        return recordRoute(transport, point, signature, sips, null);
    }

    /** As above, with a user part: a WebSocket peer's flow token ({@link FlowRoutes}), or null. */
    public String recordRoute(Transport transport, ListenPoint point, String signature, boolean sips,
                              String flowToken) {
        String user = flowToken == null ? "" : flowToken + "@";
        if (sips) {
            return "<sips:" + user + hostPort(point) + (transport == Transport.WSS ? ";transport=ws" : "") + ";lr;"
                    + RouteSigner.PARAM + "=" + signature + ">";
        }
        return "<sip:" + user + hostPort(point) + (transport == Transport.UDP ? "" : ";transport=" + transport.lowerName())
                + ";lr;" + RouteSigner.PARAM + "=" + signature + ">";
    }

    public List<ListenPoint> points() {
        return points;
    }
}
