package io.roundhouse.cli;

import java.util.ArrayList;
import java.util.List;

/** Rows printed as aligned columns under upper-case headers, two spaces apart (the {@code kubectl get} habit). */
final class Table {

    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... headers) {
        this.headers = List.of(headers);
    }

    Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
        }
        List<String> row = new ArrayList<>(cells.length);
        for (String c : cells) {
            row.add(c == null || c.isEmpty() ? "-" : c);
        }
        rows.add(row);
        return this;
    }

    @Override
    public String toString() {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = headers.get(i).length();
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], r.get(i).length());
            }
        }
        StringBuilder b = new StringBuilder();
        line(b, headers, widths);
        rows.forEach(r -> line(b, r, widths));
        return b.toString();
    }

    private static void line(StringBuilder b, List<String> cells, int[] widths) {
        int start = b.length();
        for (int i = 0; i < cells.size(); i++) {
            b.append(cells.get(i));
            if (i < cells.size() - 1) {
                b.append(" ".repeat(widths[i] - cells.get(i).length() + 2));
            }
        }
        while (b.length() > start && b.charAt(b.length() - 1) == ' ') {
            b.setLength(b.length() - 1);
        }
        b.append('\n');
    }
}
