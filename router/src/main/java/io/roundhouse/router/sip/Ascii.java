package io.roundhouse.router.sip;

/** Character classes of the RFC 3261 §25.1 ABNF, on bytes. */
final class Ascii {

    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c : "-.!%*_+`'~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private Ascii() {
    }

    /** {@code token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")}. */
    static boolean isToken(int b) {
        return b >= 0 && b < 128 && TOKEN[b];
    }

    /** {@code WSP = SP / HTAB}. */
    static boolean isWsp(int b) {
        return b == ' ' || b == '\t';
    }

    static int toLower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }
}
