package io.roundhouse.agent.fakes.ari;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roundhouse.shared.capture.HttpCapture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Asterisk 22.10.1 captures in {@code ../shared/fixtures/asterisk/22.10.1/} (relative to the project root),
 * read at test time, never copied by hand. Found by walking up from the module directory, or named by the system
 * property / environment variable {@code ROUNDHOUSE_FIXTURES}.
 */
public final class AsteriskFixtures {

    private static final String RELATIVE = "shared/fixtures/asterisk/22.10.1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private AsteriskFixtures() {
    }

    /** The fixtures folder; fails (never skips) when it cannot be found. */
    public static Path dir() {
        String override = System.getProperty("ROUNDHOUSE_FIXTURES", System.getenv("ROUNDHOUSE_FIXTURES"));
        if (override != null && Files.isDirectory(Path.of(override))) {
            return Path.of(override);
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path at = start; at != null; at = at.getParent()) {
            Path candidate = at.resolve(RELATIVE);
            if (Files.isRegularFile(candidate.resolve("README.md"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Asterisk fixtures not found: no " + RELATIVE + "/README.md above " + start
                + " (set ROUNDHOUSE_FIXTURES to the folder)");
    }

    public static Path file(String name) {
        Path file = dir().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("fixture missing: " + file);
        }
        return file;
    }

    public static String text(String name) {
        try {
            return Files.readString(file(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A captured raw HTTP response ({@code ari-*.http}): status line, headers, body (CRLF framing). */
    public static HttpCapture httpResponse(String name) {
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
                JsonNode entry = JSON.readTree(line);
                frames.add(JSON.writeValueAsString(entry.get("event")));
            } catch (IOException e) {
                throw new IllegalStateException(name + ": bad line " + line, e);
            }
        }
        return frames;
    }
}
