package io.roundhouse.router.testing.sipp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The messages of a sipp run traced with {@code -trace_msg}: entries start with a line of dashes and a timestamp,
 * then "UDP message received [n] bytes :" or "... message sent (n bytes):", a blank line, and the message.
 */
public final class SippMessageLog {

    /** One traced SIP message. */
    public record Entry(boolean received, String message) {

        /** The request method, or "" for a response. */
        public String method() {
            String first = startLine();
            return first.startsWith("SIP/2.0") ? "" : first.substring(0, Math.max(0, first.indexOf(' ')));
        }

        public String startLine() {
            int end = message.indexOf('\n');
            return (end < 0 ? message : message.substring(0, end)).trim();
        }

        /** Every value of the header (full name only, case-insensitive), in order, one per header line. */
        public List<String> headerLines(String name) {
            List<String> values = new ArrayList<>();
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (String line : message.split("\r?\n")) {
                if (line.isEmpty()) {
                    break;
                }
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix)) {
                    values.add(line.substring(prefix.length()).trim());
                }
            }
            return values;
        }
    }

    private final List<Entry> entries;

    private SippMessageLog(List<Entry> entries) {
        this.entries = entries;
    }

    static SippMessageLog read(Path file) {
        if (!Files.exists(file)) {
            return new SippMessageLog(List.of()); // sipp creates the file with the first message
        }
        try {
            String text = Files.readString(file, StandardCharsets.ISO_8859_1);
            List<Entry> entries = new ArrayList<>();
            for (String block : text.split("(?m)^-{20,}[^\n]*\n")) {
                int headerEnd = block.indexOf('\n');
                if (headerEnd < 0) {
                    continue;
                }
                String what = block.substring(0, headerEnd);
                boolean received = what.contains("received");
                if (!received && !what.contains("sent")) {
                    continue;
                }
                String message = block.substring(headerEnd + 1).stripLeading();
                entries.add(new Entry(received, message));
            }
            return new SippMessageLog(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("sipp message log: cannot read " + file, e);
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The requests of this method that sipp received, in order. */
    public List<Entry> receivedRequests(String method) {
        return entries.stream().filter(e -> e.received() && e.method().equals(method)).toList();
    }
}
