package io.roundhouse.router.sip;

/**
 * {@code CSeq = "CSeq" HCOLON 1*DIGIT LWS Method} (RFC 3261 §20.16); leading zeros are allowed.
 *
 * @param number the sequence number (fits in 32 bits unsigned)
 * @param method the method
 */
public record CSeq(long number, String method) {

    static CSeq parse(SipMessage m, int h) {
        String value = m.headerValue(h);
        int offset = m.valueStart(h) - m.base();
        int p = 0;
        long n = 0;
        while (p < value.length() && Character.isDigit(value.charAt(p))) {
            n = n * 10 + (value.charAt(p) - '0');
            if (n > 0xFFFF_FFFFL) {
                throw new SipParseException(offset, "CSeq number larger than 2^32-1");
            }
            p++;
        }
        if (p == 0) {
            throw new SipParseException(offset, "CSeq number missing");
        }
        int ws = p;
        while (p < value.length() && (value.charAt(p) == ' ' || value.charAt(p) == '\t')) {
            p++;
        }
        String method = value.substring(p).trim();
        if (p == ws || method.isEmpty() || !isToken(method)) {
            throw new SipParseException(offset + p, "CSeq method missing or malformed");
        }
        return new CSeq(n, SipParser.method(method));
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Ascii.isToken(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
