package io.roundhouse.router.proxy;

import io.netty.buffer.ByteBuf;
import io.roundhouse.router.sip.SipMessage;
import io.roundhouse.router.transaction.InviteServerTransaction;
import io.roundhouse.router.transaction.NonInviteServerTransaction;
import io.roundhouse.router.transaction.ServerKey;
import io.roundhouse.router.transaction.ServerTransaction;
import io.roundhouse.router.transaction.TransactionTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The responses the router writes itself (RFC 3261 §16.3, §8.2.6): 100 Trying, refusals (400, 403, 416, 420, 482,
 * 483, 505...), 503 with Retry-After, the configured answer to a call no service takes, and 487 after a CANCEL. Each
 * is well-formed whatever the request held (RFC 4475 §3.1.2), every 503 says when to come back, and each is counted by
 * status. Sending is the caller's choice: in a server transaction, or statelessly when the request may not even be
 * matchable.
 */
final class LocalResponses {

    private static final Logger log = LoggerFactory.getLogger(LocalResponses.class);
    static final String ALLOW = "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO, REFER, NOTIFY, SUBSCRIBE,"
            + " MESSAGE, PRACK";
    /**
     * How the To tag of each stateless response of the router starts: never a tag of a dialog (the router answers no
     * INVITE with a 2xx itself), so an ACK carrying it is the ACK of one of these responses and ends here.
     */
    static final String STATELESS_TAG_PREFIX = "rhsl.";
    /** The Warning text of a shed 503, which callers (and the bench) tell apart from other 503s. */
    static final String SHED_WARNING = "overloaded";
    /** Longest Warning text the router writes: enough to name a defect, too short to echo a whole header back. */
    static final int WARNING_TEXT_MAX = 200;

    private final MessageWriter writer;
    private final ProxyMetrics metrics;
    private final TransactionTable table;
    /** The host:port of the router's first listen point, named in its Warning headers (§20.43). */
    private final String warningHost;
    /** Read from the config once: null with sip.retry-after 0s. */
    private final String retryAfterHeader;

    LocalResponses(MessageWriter writer, ProxyMetrics metrics, TransactionTable table, LocalAddresses locals,
                   Duration retryAfter) {
        this.writer = writer;
        this.metrics = metrics;
        this.table = table;
        this.warningHost = locals.hostPort(locals.points().get(0));
        this.retryAfterHeader = retryAfter.isZero() ? null : "Retry-After: " + retryAfter.toSeconds();
    }

    /**
     * The bytes of the router's own response to {@code m}, counted as a local response of {@code status}; a 503 gets
     * the router's Retry-After.
     */
    ByteBuf build(SipMessage m, String topVia, int status, String reason, String toTag, List<String> extra) {
        metrics.localResponse(status);
        return writer.response(m, topVia, status, reason, toTag, withRetryAfter(status, extra));
    }

    /** Answers {@code m} in a new server transaction of its own. */
    void respondStateful(SipMessage m, Inbound in, int status, String reason, List<String> extra) {
        ServerTransaction st = m.isMethod("INVITE")
                ? new InviteServerTransaction(table, ServerKey.of(m), in.responseDestination(), m.callIdOrEmpty())
                : new NonInviteServerTransaction(table, ServerKey.of(m), in.responseDestination(), m.callIdOrEmpty());
        respond(m, in, st, status, reason, extra);
    }

    /** Answers {@code m} in its server transaction {@code st}, with a new To tag. */
    void respond(SipMessage m, Inbound in, ServerTransaction st, int status, String reason, List<String> extra) {
        metrics.out();
        st.sendResponse(status, build(m, in.topVia(), status, reason, newTag(), extra));
        log.debug("call {}: {} answered {} {} by the router", m.callIdOrEmpty(), m.method(), status, reason);
    }

    /** Every 503 of the router's own says when to come back (RFC 3261 §21.5.4, {@code sip.retry-after}). */
    List<String> withRetryAfter(int status, List<String> extra) {
        if (status != 503 || retryAfterHeader == null) {
            return extra; // sip.retry-after: 0s sends none
        }
        List<String> all = new ArrayList<>(extra.size() + 1);
        all.add(retryAfterHeader);
        all.addAll(extra);
        return all;
    }

    /**
     * A Warning header (RFC 3261 §20.43, code 399: miscellaneous) naming the defect. The text may quote what the peer
     * sent: control characters become '?' and the text is cut at {@value #WARNING_TEXT_MAX} characters, so that the
     * router's own response is well-formed whatever the request held (RFC 4475 §3.1.2).
     */
    String warning(String text) {
        String host = warningHost;
        int n = Math.min(text.length(), WARNING_TEXT_MAX);
        StringBuilder sb = new StringBuilder(n + host.length() + 20).append("Warning: 399 ").append(host).append(" \"");
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < ' ' || c == 0x7f) {
                sb.append('?');
            } else {
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
        }
        return sb.append(n < text.length() ? "...\"" : "\"").toString();
    }

    /** The reason phrase the router writes with a status it chose by configuration (RFC 3261 §21). */
    static String reasonPhrase(int status) {
        return switch (status) {
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 410 -> "Gone";
            case 480 -> "Temporarily Unavailable";
            case 484 -> "Address Incomplete";
            case 488 -> "Not Acceptable Here";
            case 500 -> "Server Internal Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 603 -> "Decline";
            case 604 -> "Does Not Exist Anywhere";
            default -> "No Service";
        };
    }

    /** A To tag for a response of the router's own (§8.2.6.2). */
    static String newTag() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() | 0x1000000000000000L);
    }

    /**
     * A To tag for a response the router sends without a transaction (a shed 503, a refusal): {@value
     * #STATELESS_TAG_PREFIX} and 64 random bits. The caller's ACK of it carries the tag back (§17.1.1.3) and is
     * absorbed on sight ({@link NewCallShedding}), as Kamailio's sl module recognises its own replies' tags.
     */
    static String statelessTag() {
        return STATELESS_TAG_PREFIX + newTag();
    }

    /** The header lines of a shed 503: Retry-After (§21.5.4) and the Warning callers tell it apart by. */
    List<String> shedHeaders() {
        return withRetryAfter(503, List.of(warning(SHED_WARNING)));
    }
}
