package io.roundhouse.router.sip;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.roundhouse.router.testing.Mutator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * 20,000 seeded mutations of the fixtures through the parser and every lazy accessor the proxy uses: bad input may
 * only ever raise {@link SipParseException}, never another exception.
 */
class SipParserFuzzTest {

    private static final List<String> FIXTURES = List.of("invite-basic.sip", "compact-forms.sip",
            "folded-headers.sip", "comma-joined.sip", "leading-zeros.sip", "unknown-method-and-headers.sip",
            "case-insensitive.sip", "response-180.sip");

    @Test
    void mutatedMessagesOnlyEverFailWithAParseError() {
        Mutator mutator = new Mutator(20261125L);
        int parsed = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input = mutator.mutate(Fixtures.bytes(FIXTURES.get(i % FIXTURES.size())));
            boolean datagram = i % 2 == 0;
            SipMessage m;
            try {
                m = SipParser.parse(Unpooled.wrappedBuffer(input), datagram);
                parsed++;
            } catch (SipParseException e) {
                rejected++;
                assertThat(e.offset()).isBetween(-1, input.length);
                continue;
            }
            touch(m::topVia);
            touch(m::callId);
            touch(m::cseq);
            touch(m::maxForwards);
            touch(m::from);
            touch(m::to);
            touch(() -> m.from().sipUri());
            touch(() -> m.values("Route").stream().map(v -> NameAddr.parse(v, 0, "Route").sipUri()).toList());
            touch(() -> m.vias().stream().map(v -> Via.parse(m.text(v), 0)).toList());
            touch(() -> SipUri.parse(m.isRequest() ? m.requestUri() : "sip:x"));
            touch(m::toString);
            touch(() -> m.values("X-Something-New"));
            assertThat(m.bodyStart() + m.bodyLength()).isLessThanOrEqualTo(input.length);
        }
        // The mutations exercise both outcomes.
        assertThat(parsed).isGreaterThan(1000);
        assertThat(rejected).isGreaterThan(100);
    }

    private static void touch(Supplier<?> accessor) {
        try {
            accessor.get();
        } catch (SipParseException expected) {
            // bad input is data
        }
    }
}
