package io.roundhouse.router.sip;

/**
 * The header fields the proxy reads or edits, with their compact forms (RFC 3261 §7.3.3, §20; RFC 3515, 3265, 4028).
 * Every other header is {@link #OTHER} and is forwarded byte for byte.
 */
public enum HeaderName {
    VIA("Via", 'v', true),
    ROUTE("Route", (char) 0, true),
    RECORD_ROUTE("Record-Route", (char) 0, true),
    MAX_FORWARDS("Max-Forwards", (char) 0, false),
    CALL_ID("Call-ID", 'i', false),
    CSEQ("CSeq", (char) 0, false),
    FROM("From", 'f', false),
    TO("To", 't', false),
    CONTACT("Contact", 'm', true),
    CONTENT_LENGTH("Content-Length", 'l', false),
    CONTENT_TYPE("Content-Type", 'c', false),
    CONTENT_ENCODING("Content-Encoding", 'e', true),
    SUPPORTED("Supported", 'k', true),
    SUBJECT("Subject", 's', false),
    EVENT("Event", 'o', false),
    ALLOW_EVENTS("Allow-Events", 'u', true),
    REFER_TO("Refer-To", 'r', false),
    REFERRED_BY("Referred-By", 'b', false),
    SESSION_EXPIRES("Session-Expires", 'x', false),
    ACCEPT_CONTACT("Accept-Contact", 'a', true),
    REJECT_CONTACT("Reject-Contact", 'j', true),
    REQUEST_DISPOSITION("Request-Disposition", 'd', true),
    IDENTITY("Identity", 'y', false),
    ALLOW("Allow", (char) 0, true),
    REQUIRE("Require", (char) 0, true),
    PROXY_REQUIRE("Proxy-Require", (char) 0, true),
    UNSUPPORTED("Unsupported", (char) 0, true),
    RETRY_AFTER("Retry-After", (char) 0, false),
    X_EXEC_APP("X-Exec-App", (char) 0, false),
    X_EXEC_APP_DATA("X-Exec-App-Data", (char) 0, false),
    OTHER("", (char) 0, false);

    private static final HeaderName[] KNOWN = java.util.Arrays.stream(values())
            .filter(h -> h != OTHER).toArray(HeaderName[]::new);
    private static final HeaderName[] COMPACT = new HeaderName[128];
    /** The known names by the length of their long form: a header line is compared with two or three of them. */
    private static final HeaderName[][] BY_LENGTH = new HeaderName[20][];

    static {
        for (HeaderName h : KNOWN) {
            if (h.compact != 0) {
                COMPACT[h.compact] = h;
                COMPACT[Character.toUpperCase(h.compact)] = h;
            }
        }
        for (int length = 0; length < BY_LENGTH.length; length++) {
            int l = length;
            BY_LENGTH[length] = java.util.Arrays.stream(KNOWN).filter(h -> h.canonical.length() == l)
                    .toArray(HeaderName[]::new);
        }
    }

    private final String canonical;
    private final char compact;
    private final boolean list;

    HeaderName(String canonical, char compact, boolean list) {
        this.canonical = canonical;
        this.compact = compact;
        this.list = list;
    }

    /** The long form as written by the router, e.g. {@code Call-ID}. */
    public String canonical() {
        return canonical;
    }

    /**
     * True when the header's grammar is a comma-separated list (RFC 3261 §7.3.1), so that {@code Route: <a>, <b>}
     * holds two values, just as two {@code Route} lines do.
     */
    public boolean isList() {
        return list;
    }

    /**
     * True for the headers a request carries exactly once and a proxy reads (§7.3.1: only list headers may repeat):
     * two of them leave the message ambiguous (which Call-ID, which body length?), RFC 4475 §3.3.8 and §3.3.9.
     */
    public boolean isSingleInstance() {
        return switch (this) {
            case CALL_ID, CSEQ, FROM, TO, MAX_FORWARDS, CONTENT_LENGTH -> true;
            default -> false;
        };
    }

    /** Case-insensitive lookup of a header name (long or compact form) written in {@code bytes[start, end)}. */
    static HeaderName lookup(MessageBytes bytes, int start, int end) {
        int length = end - start;
        if (length == 1) {
            int c = bytes.at(start) & 0x7f;
            HeaderName h = COMPACT[c];
            return h == null ? OTHER : h;
        }
        if (length >= BY_LENGTH.length) {
            return OTHER;
        }
        for (HeaderName h : BY_LENGTH[length]) {
            if (equalsIgnoreCase(bytes, start, h.canonical)) {
                return h;
            }
        }
        return OTHER;
    }

    /** Case-insensitive lookup of a header name given as text (long or compact form). */
    public static HeaderName lookup(String name) {
        if (name.length() == 1) {
            HeaderName h = COMPACT[name.charAt(0) & 0x7f];
            return h == null ? OTHER : h;
        }
        for (HeaderName h : KNOWN) {
            if (h.canonical.equalsIgnoreCase(name)) {
                return h;
            }
        }
        return OTHER;
    }

    private static boolean equalsIgnoreCase(MessageBytes bytes, int start, String name) {
        for (int i = 0; i < name.length(); i++) {
            int a = bytes.at(start + i);
            int b = name.charAt(i);
            if (a != b && Ascii.toLower(a) != Ascii.toLower(b)) {
                return false;
            }
        }
        return true;
    }
}
