package io.roundhouse.agent.fakes.ami;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Asterisk 22.10.1 captures, read at test time from {@code ../shared/fixtures/asterisk/22.10.1/} (next to the
 * project root). Found by walking up from the working directory, so it works from the module folder and from the
 * project root; {@code -Droundhouse.fixtures=/path/to/22.10.1} overrides.
 */
public final class AsteriskFixtures {

    private static final String RELATIVE = "shared/fixtures/asterisk/22.10.1";

    private AsteriskFixtures() {
    }

    public static Path dir() {
        String override = System.getProperty("roundhouse.fixtures");
        if (override != null) {
            return Path.of(override);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(RELATIVE);
            if (Files.isRegularFile(candidate.resolve("ami-banner.txt"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("Asterisk fixtures not found: no " + RELATIVE + " above "
                + Path.of("").toAbsolutePath() + " (expected: ../shared/fixtures next to the project root, or"
                + " -Droundhouse.fixtures)");
    }

    /** Exact text of a capture (CRLF kept). */
    public static String text(String name) {
        try {
            return Files.readString(dir().resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("fixture " + name, e);
        }
    }

    /** The capture split into AMI blocks, each with its terminating blank line ({@code \r\n\r\n}) kept. */
    public static List<String> blocks(String name) {
        String text = text(name);
        List<String> blocks = new ArrayList<>();
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

    /**
     * The events of a captured session ({@code ami-events-*.txt}), in order, without the banner, the responses and
     * the FullyBooted that belongs to the login.
     */
    public static List<String> sessionEvents(String name) {
        List<String> events = new ArrayList<>();
        for (String block : blocks(name)) {
            String body = block.startsWith("Asterisk Call Manager/") ? block.substring(block.indexOf("\r\n") + 2) : block;
            if (body.startsWith("Event: ") && !body.startsWith("Event: FullyBooted\r\n")) {
                events.add(body);
            }
        }
        return events;
    }

    /** The value of a header in one block, or null. */
    public static String header(String block, String name) {
        for (String line : block.split("\r\n")) {
            if (line.regionMatches(true, 0, name + ": ", 0, name.length() + 2)) {
                return line.substring(name.length() + 2);
            }
        }
        return null;
    }
}
