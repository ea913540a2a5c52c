package io.roundhouse.router.testing.sipp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the CSV that sipp writes with {@code -trace_stat}: a header line, then one line per dump period and a last
 * one at exit, fields separated by ';'. Only the last line matters: it holds the cumulative counters.
 */
final class SippStatistics {

    private final Map<String, String> last;

    private SippStatistics(Map<String, String> last) {
        this.last = last;
    }

    static SippStatistics read(Path csv) throws IOException {
        if (!Files.exists(csv)) {
            return new SippStatistics(Map.of());
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.ISO_8859_1).stream()
                .filter(l -> !l.isBlank()).toList();
        if (lines.size() < 2) {
            return new SippStatistics(Map.of());
        }
        String[] names = lines.get(0).split(";", -1);
        String[] values = lines.get(lines.size() - 1).split(";", -1);
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(names.length, values.length); i++) {
            row.put(names[i].trim(), values[i].trim());
        }
        return new SippStatistics(row);
    }

    boolean isEmpty() {
        return last.isEmpty();
    }

    long counter(String name) {
        String value = last.get(name);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("sipp statistics: " + name + "=" + value + " (expected: an integer)", e);
        }
    }

    /** Non-zero cumulative failure counters, e.g. {@code FailedUnexpectedMessage -> 3}. */
    Map<String, Long> failureReasons() {
        Map<String, Long> reasons = new LinkedHashMap<>();
        last.forEach((name, value) -> {
            if (name.startsWith("Failed") && name.endsWith("(C)") && !name.equals("FailedCall(C)")) {
                long count = counter(name);
                if (count != 0) {
                    reasons.put(name.substring(0, name.length() - 3), count);
                }
            }
        });
        return reasons;
    }
}
