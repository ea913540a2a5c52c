package io.roundhouse.sim.node;

import io.roundhouse.sim.sip.SipMessage;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One call a simulated node holds: a PJSIP channel from its INVITE to its end, in the Stasis application the
 * dialplan handed it to. Mutable state is guarded by the node's lock.
 */
public final class Channel {

    private final String id;
    private final String name;
    private final String exten;
    private final SipMessage invite;
    private final InetSocketAddress source;
    private final String toTag;
    private final String app;
    private final List<String> args;
    private final Instant created = Instant.now();
    private boolean answered;
    private boolean acked;
    private String bridgeId = "";
    private SipMessage lastResponse;
    private ScheduledFuture<?> timer;

    Channel(String id, String name, String exten, SipMessage invite, InetSocketAddress source, String toTag,
            String app, List<String> args) {
        this.id = id;
        this.name = name;
        this.exten = exten;
        this.invite = invite;
        this.source = source;
        this.toTag = toTag;
        this.app = app;
        this.args = List.copyOf(args);
    }

    /** Asterisk's Uniqueid ({@code <epoch>.<sequence>}), also the ARI channel id. */
    public String id() {
        return id;
    }

    /** {@code PJSIP/router-0000000N}. */
    public String name() {
        return name;
    }

    /** The Request-URI user (the dialplan extension). */
    public String exten() {
        return exten;
    }

    public String callId() {
        return invite.value("Call-ID");
    }

    public String app() {
        return app;
    }

    /** The Stasis arguments: X-Exec-App-Data split on commas, then {@code placement=<key>} when the router sent one. */
    public List<String> args() {
        return args;
    }

    public Instant created() {
        return created;
    }

    public boolean answered() {
        return answered;
    }

    SipMessage invite() {
        return invite;
    }

    InetSocketAddress source() {
        return source;
    }

    String toTag() {
        return toTag;
    }

    void answered(boolean value) {
        answered = value;
    }

    boolean acked() {
        return acked;
    }

    void acked(boolean value) {
        acked = value;
    }

    public String bridgeId() {
        return bridgeId;
    }

    void bridgeId(String value) {
        bridgeId = value;
    }

    SipMessage lastResponse() {
        return lastResponse;
    }

    void lastResponse(SipMessage value) {
        lastResponse = value;
    }

    void timer(ScheduledFuture<?> value) {
        if (timer != null) {
            timer.cancel(false);
        }
        timer = value;
    }

    @Override
    public String toString() {
        return name + " (" + id + ", " + app + "(" + String.join(",", args) + "))";
    }
}
