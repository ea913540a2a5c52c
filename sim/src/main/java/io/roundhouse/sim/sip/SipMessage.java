package io.roundhouse.sim.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A SIP message as the simulator needs it (RFC 3261 §7): a start line, header lines in their order, and a body.
 * Header values are kept as written; compact header names (§7.3.3) are expanded when looking up, so {@code v:} is
 * found as {@code Via}. Small and allocation-happy on purpose: a simulated node handles a few hundred calls a second,
 * not the router's load.
 */
public final class SipMessage {

    private final String startLine;
    private final List<String[]> headers;
    private final String body;

    public SipMessage(String startLine, List<String[]> headers, String body) {
        this.startLine = startLine;
        this.headers = new ArrayList<>(headers);
        this.body = body;
    }

    /**
     * Parses one message (a whole UDP datagram). Folded lines (§7.3.1) are joined. A message without an empty line
     * after its headers or without a start line is refused with {@link IllegalArgumentException}.
     */
    public static SipMessage parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalArgumentException("no empty line after the headers");
        }
        String[] lines = text.substring(0, end).split("\r\n");
        if (lines.length == 0 || lines[0].isBlank()) {
            throw new IllegalArgumentException("no start line");
        }
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if ((line.startsWith(" ") || line.startsWith("\t")) && !headers.isEmpty()) {
                String[] last = headers.get(headers.size() - 1);
                last[1] = last[1] + " " + line.strip();
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("header line without a colon: " + line);
            }
            headers.add(new String[] {line.substring(0, colon).strip(), line.substring(colon + 1).strip()});
        }
        return new SipMessage(lines[0], headers, text.substring(end + 4));
    }

    public boolean isRequest() {
        return !startLine.startsWith("SIP/2.0 ");
    }

    /** The request method, e.g. {@code INVITE}. */
    public String method() {
        return startLine.substring(0, startLine.indexOf(' '));
    }

    /** The Request-URI. */
    public String requestUri() {
        String[] parts = startLine.split(" ");
        return parts.length == 3 ? parts[1] : "";
    }

    /** The status code of a response. */
    public int status() {
        return Integer.parseInt(startLine.substring(8, 11));
    }

    public String startLine() {
        return startLine;
    }

    public String body() {
        return body;
    }

    /** The first value of a header (name case-insensitive, compact forms understood), if any. */
    public Optional<String> header(String name) {
        for (String[] h : headers) {
            if (sameName(h[0], name)) {
                return Optional.of(h[1]);
            }
        }
        return Optional.empty();
    }

    /** The first value of a header, or {@code ""}. */
    public String value(String name) {
        return header(name).orElse("");
    }

    /** Every value of a header in order; comma-separated values of one line stay one value. */
    public List<String> values(String name) {
        List<String> all = new ArrayList<>();
        for (String[] h : headers) {
            if (sameName(h[0], name)) {
                all.add(h[1]);
            }
        }
        return all;
    }

    /**
     * Every name-addr of a header that may list several (Route, Record-Route), over all its lines in order: a line
     * is split on the commas outside angle brackets (RFC 3261 §7.3.1).
     */
    public List<String> addresses(String name) {
        List<String> out = new ArrayList<>();
        for (String value : values(name)) {
            int depth = 0;
            int start = 0;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '<') {
                    depth++;
                } else if (c == '>') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    out.add(value.substring(start, i).strip());
                    start = i + 1;
                }
            }
            out.add(value.substring(start).strip());
        }
        return out;
    }

    /** The CSeq method. */
    public String cseqMethod() {
        String cseq = value("CSeq");
        int space = cseq.indexOf(' ');
        return space < 0 ? "" : cseq.substring(space + 1).strip();
    }

    /** The tag parameter of From or To, or {@code ""}. */
    public String tag(String fromOrTo) {
        return parameter(value(fromOrTo), "tag");
    }

    /** The top Via's branch parameter. */
    public String branch() {
        return parameter(value("Via"), "branch");
    }

    /**
     * A parameter of a header value ({@code ;name=value} after the URI, or inside it when the value has no angle
     * brackets), or {@code ""}. Enough for tag, branch, lr and transport.
     */
    public static String parameter(String headerValue, String name) {
        int close = headerValue.lastIndexOf('>');
        String params = close >= 0 ? headerValue.substring(close + 1) : headerValue;
        for (String p : params.split(";")) {
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).strip();
            if (key.equalsIgnoreCase(name)) {
                return eq < 0 ? key : p.substring(eq + 1).strip();
            }
        }
        return "";
    }

    /** A copy with the header's values replaced by these (at the place of its first line, or appended). */
    public SipMessage with(String name, List<String> values) {
        List<String[]> out = new ArrayList<>();
        boolean placed = false;
        for (String[] h : headers) {
            if (sameName(h[0], name)) {
                if (!placed) {
                    values.forEach(v -> out.add(new String[] {name, v}));
                    placed = true;
                }
                continue;
            }
            out.add(h.clone());
        }
        if (!placed) {
            values.forEach(v -> out.add(new String[] {name, v}));
        }
        return new SipMessage(startLine, out, body);
    }

    /** A copy with another start line (request line or status line). */
    public SipMessage withStartLine(String newStartLine) {
        return new SipMessage(newStartLine, headers, body);
    }

    /** A copy with one value for the header. */
    public SipMessage with(String name, String value) {
        return with(name, List.of(value));
    }

    /** A copy without the header. */
    public SipMessage without(String name) {
        return with(name, List.of());
    }

    /** A copy with another body and its Content-Length. */
    public SipMessage withBody(String newBody) {
        SipMessage m = new SipMessage(startLine, headers, newBody);
        return m.with("Content-Length", Integer.toString(newBody.getBytes(StandardCharsets.UTF_8).length));
    }

    /** A copy with these values inserted right after the Via lines (where Record-Route goes in a response). */
    public SipMessage withAfterVia(String name, List<String> values) {
        List<String[]> out = new ArrayList<>();
        int lastVia = -1;
        for (int i = 0; i < headers.size(); i++) {
            out.add(headers.get(i).clone());
            if (sameName(headers.get(i)[0], "Via")) {
                lastVia = i;
            }
        }
        List<String[]> inserted = values.stream().map(v -> new String[] {name, v}).toList();
        out.addAll(lastVia + 1, inserted);
        return new SipMessage(startLine, out, body);
    }

    public byte[] toBytes() {
        StringBuilder out = new StringBuilder(512).append(startLine).append("\r\n");
        for (String[] h : headers) {
            out.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        out.append("\r\n").append(body);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.UTF_8);
    }

    private static boolean sameName(String written, String wanted) {
        return written.equalsIgnoreCase(wanted) || expand(written).equalsIgnoreCase(wanted);
    }

    /** RFC 3261 §7.3.3 compact forms (and RFC 3515/3841's). */
    private static String expand(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "v" -> "Via";
            case "f" -> "From";
            case "t" -> "To";
            case "i" -> "Call-ID";
            case "m" -> "Contact";
            case "l" -> "Content-Length";
            case "c" -> "Content-Type";
            case "k" -> "Supported";
            case "s" -> "Subject";
            case "e" -> "Content-Encoding";
            default -> name;
        };
    }
}
