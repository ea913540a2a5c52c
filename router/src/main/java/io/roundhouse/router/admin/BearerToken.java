package io.roundhouse.router.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Checks the {@code Authorization: Bearer <token>} header of a mutation (RFC 6750 §2.1). The comparison takes the
 * same time whatever the first wrong byte, so the token cannot be guessed byte by byte from response times.
 */
final class BearerToken {

    /** What a request's credentials amount to. */
    enum Verdict { ACCEPTED, MISSING, WRONG, NOT_CONFIGURED }

    private static final String SCHEME = "bearer ";

    private final byte[] expected;

    BearerToken(Optional<String> token) {
        this.expected = token.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    Verdict check(String authorizationHeader) {
        if (expected == null) {
            return Verdict.NOT_CONFIGURED;
        }
        if (authorizationHeader == null || authorizationHeader.length() < SCHEME.length()
                || !authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return Verdict.MISSING;
        }
        byte[] given = authorizationHeader.substring(SCHEME.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, given) ? Verdict.ACCEPTED : Verdict.WRONG;
    }
}
