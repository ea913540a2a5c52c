package io.roundhouse.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The INVITE every benchmark here works on: a phone's call with SDP, 14 headers, 801 bytes, CRLF kept. */
final class TypicalInvite {

    private TypicalInvite() {
    }

    static byte[] bytes() {
        try (InputStream in = TypicalInvite.class.getResourceAsStream("/invite.sip")) {
            if (in == null) {
                throw new IllegalStateException("invite.sip: missing from the benchmark jar (expected: src/main/resources)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("invite.sip: cannot read", e);
        }
    }
}
