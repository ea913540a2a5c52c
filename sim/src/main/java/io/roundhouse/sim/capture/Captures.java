package io.roundhouse.sim.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roundhouse.shared.capture.HttpCapture;
import io.roundhouse.sim.sip.SipMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Asterisk 22.10.1 captures the simulator answers with, byte for byte. The build copies them from
 * {@code ../shared/fixtures/asterisk/22.10.1/} into the jar ({@code /asterisk/22.10.1/}); see that folder's README for
 * what produced each file. Nothing here is hand-written protocol: a simulated node rewrites only ids, names and the
 * headers a response must copy from its request.
 */
public final class Captures {

    private static final String ROOT = "/asterisk/22.10.1/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Captures() {
    }

    /**
     * Fails with what to do when the jar was built without the captures (a checkout without
     * {@code ../shared/fixtures/asterisk/22.10.1/} beside it): nothing could be answered.
     */
    public static void requireBundled() {
        if (Captures.class.getResource(ROOT + "README.md") == null) {
            throw new IllegalStateException("this roundhouse-sim.jar was built without the Asterisk 22.10.1 captures:"
                    + " put them in ../shared/fixtures/asterisk/22.10.1/ beside the clone (or build with"
                    + " -Dasterisk.fixtures=<folder>) and build again (./mvnw -B -q package -DskipTests)");
        }
    }

    /** The exact text of a capture (CRLF kept). */
    public static String text(String name) {
        try (InputStream in = Captures.class.getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("capture " + name + " is not in the jar (expected under " + ROOT
                        + "; the build copies ../shared/fixtures/asterisk/22.10.1/)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("capture " + name, e);
        }
    }

    /** One SIP message capture ({@code sip-*.response.sip}, {@code sip-options-*.sip}). */
    public static SipMessage sip(String name) {
        return SipMessage.parse(text(name).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The messages of a sipp {@code -trace_msg} transcript ({@code sip-*.txt}): each follows a line
     * {@code === <time> UDP message sent/received (N bytes)}.
     */
    public static List<SipMessage> sipTrace(String name) {
        List<SipMessage> messages = new ArrayList<>();
        // Split before each "=== " line, keeping every message's own line ends.
        for (String part : text(name).split("(?<=\n)(?==== )")) {
            int eol = part.indexOf('\n');
            if (!part.startsWith("=== ") || eol < 0) {
                continue;
            }
            messages.add(SipMessage.parse(part.substring(eol + 1).getBytes(StandardCharsets.UTF_8)));
        }
        return messages;
    }

    /** A raw HTTP response capture ({@code ari-*.http}). */
    public static HttpCapture http(String name) {
        return HttpCapture.parse(text(name));
    }

    /** The WebSocket frames of an {@code ari-events-*.jsonl} capture, re-serialised compactly (byte-exact per README). */
    public static List<String> eventFrames(String name) {
        List<String> frames = new ArrayList<>();
        for (String line : text(name).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                frames.add(JSON.writeValueAsString(JSON.readTree(line).get("event")));
            } catch (IOException e) {
                throw new IllegalStateException(name + ": bad line " + line, e);
            }
        }
        return frames;
    }

    /** The capture split into AMI blocks, each with its terminating blank line kept; a banner line is its own block. */
    public static List<String> amiBlocks(String name) {
        String text = text(name);
        List<String> blocks = new ArrayList<>();
        if (text.startsWith("Asterisk Call Manager/")) {
            int eol = text.indexOf("\r\n") + 2;
            blocks.add(text.substring(0, eol));
            text = text.substring(eol);
        }
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf("\r\n\r\n", start);
            if (end < 0) {
                blocks.add(text.substring(start));
                break;
            }
            blocks.add(text.substring(start, end + 4));
            start = end + 4;
        }
        return blocks;
    }

    /** The first AMI block of the capture that starts with that line (e.g. {@code Event: Newchannel}). */
    public static String amiBlock(String name, String firstLine) {
        return amiBlocks(name).stream().filter(b -> b.startsWith(firstLine + "\r\n")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no '" + firstLine + "' block in " + name));
    }

    /** Parses JSON text of a capture (a REST body). */
    public static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}
