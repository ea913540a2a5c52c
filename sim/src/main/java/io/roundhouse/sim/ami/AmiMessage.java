package io.roundhouse.sim.ami;

import java.util.ArrayList;
import java.util.List;

/**
 * One AMI block (an action, a response or an event): {@code Key: value} lines in order, ended by a blank line. A
 * simulated node takes a captured block and sets only the values that name its own channels.
 */
public final class AmiMessage {

    private final List<String[]> lines;

    private AmiMessage(List<String[]> lines) {
        this.lines = lines;
    }

    /** Parses a captured block (CRLF lines, blank line at the end optional). */
    public static AmiMessage parse(String block) {
        List<String[]> lines = new ArrayList<>();
        for (String line : block.split("\r\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("AMI line without a colon: " + line);
            }
            String value = line.substring(colon + 1);
            lines.add(new String[] {line.substring(0, colon), value.startsWith(" ") ? value.substring(1) : value});
        }
        return new AmiMessage(lines);
    }

    /** A copy with the key's value replaced (the line stays where it was), or appended when absent. */
    public AmiMessage with(String key, String value) {
        List<String[]> copy = new ArrayList<>();
        boolean found = false;
        for (String[] line : lines) {
            if (line[0].equalsIgnoreCase(key)) {
                copy.add(new String[] {line[0], value});
                found = true;
            } else {
                copy.add(line.clone());
            }
        }
        if (!found) {
            copy.add(new String[] {key, value});
        }
        return new AmiMessage(copy);
    }

    /** A copy without the key (the ActionID of a reply to an action that had none). */
    public AmiMessage without(String key) {
        List<String[]> copy = new ArrayList<>();
        for (String[] line : lines) {
            if (!line[0].equalsIgnoreCase(key)) {
                copy.add(line.clone());
            }
        }
        return new AmiMessage(copy);
    }

    /** The value, or null. */
    public String get(String key) {
        for (String[] line : lines) {
            if (line[0].equalsIgnoreCase(key)) {
                return line[1];
            }
        }
        return null;
    }

    /** The wire form: {@code Key: value\r\n} per line and the closing blank line. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(256);
        for (String[] line : lines) {
            out.append(line[0]).append(": ").append(line[1]).append("\r\n");
        }
        return out.append("\r\n").toString();
    }
}
