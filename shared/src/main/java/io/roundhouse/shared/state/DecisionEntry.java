package io.roundhouse.shared.state;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of the decision log read back as its {@code key=value} words, for operators' tools (the admin API, the
 * {@code roundhouse decisions} verb). A value may be {@code "quoted"} (it then may hold spaces) or a {@code [list]};
 * words that are not {@code key=value} are kept under {@code _} so nothing of the line is lost.
 *
 * @param line   the line as stored
 * @param fields its words in order
 */
public record DecisionEntry(String line, Map<String, String> fields) {

    public DecisionEntry {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The value of {@code key}, or {@code "-"} when the line has none. */
    public String get(String key) {
        return fields.getOrDefault(key, "-");
    }

    /** Splits a line into its words; never throws (a decision line is for people first). */
    public static DecisionEntry parse(String line) {
        Map<String, String> fields = new LinkedHashMap<>();
        StringBuilder stray = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            int eq = -1;
            int depth = 0;
            boolean quoted = false;
            while (i < n && (quoted || depth > 0 || line.charAt(i) != ' ')) {
                char c = line.charAt(i);
                if (c == '=' && eq < 0 && !quoted && depth == 0) {
                    eq = i;
                } else if (c == '"' && eq >= 0) {
                    quoted = !quoted;
                } else if (c == '[' && !quoted && eq >= 0) {
                    depth++;
                } else if (c == ']' && !quoted && depth > 0) {
                    depth--;
                }
                i++;
            }
            if (eq <= start) {
                stray.append(stray.length() == 0 ? "" : " ").append(line, start, i);
                continue;
            }
            String value = line.substring(eq + 1, i);
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            fields.put(line.substring(start, eq), value);
        }
        if (stray.length() > 0) {
            fields.put("_", stray.toString());
        }
        return new DecisionEntry(line, fields);
    }
}
