package io.roundhouse.shared.capture;

import java.util.ArrayList;
import java.util.List;

/**
 * One captured raw HTTP response of Asterisk's HTTP server: status, reason phrase, headers in order, body.
 *
 * @param status       status code
 * @param reasonPhrase as Asterisk wrote it ({@code Invalid Reason} for one 400, really)
 * @param headers      name/value pairs in order
 * @param body         the body, possibly empty
 */
public record HttpCapture(int status, String reasonPhrase, List<String[]> headers, String body) {

    /** Parses the raw bytes of a capture ({@code *.http}: status line, headers, CRLFCRLF, body). */
    public static HttpCapture parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalArgumentException("not a raw HTTP response: no CRLFCRLF");
        }
        String[] lines = raw.substring(0, end).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.add(new String[] {lines[i].substring(0, colon), lines[i].substring(colon + 1).strip()});
        }
        return new HttpCapture(Integer.parseInt(status[1]), status.length > 2 ? status[2] : "", headers,
                raw.substring(end + 4));
    }

    /** The same response with another body (ids rewritten by the caller). */
    public HttpCapture withBody(String newBody) {
        return new HttpCapture(status, reasonPhrase, headers, newBody);
    }
}
