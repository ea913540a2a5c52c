package io.roundhouse.shared.state;

/**
 * Checks the names that become parts of keys, hash fields, comma lists and event lines. An event line is split on
 * spaces and {@code apps}/{@code accepting} on commas, so a name holding one would be read back as something else.
 */
final class ContractNames {

    private ContractNames() {
    }

    /** A node id, service or placement key: non-empty, no whitespace or control characters. */
    static String requireWord(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + ": empty (expected: a word without spaces)");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException(what + ": '" + value + "' (expected: no spaces or control characters)");
            }
        }
        return value;
    }

    /** An item of a comma list ({@code apps}, {@code accepting}): a word without commas. */
    static String requireListItem(String what, String value) {
        requireWord(what, value);
        if (value.indexOf(',') >= 0) {
            throw new IllegalArgumentException(what + ": '" + value + "' (expected: no commas)");
        }
        return value;
    }
}
