package io.roundhouse.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The names no DNS resolves (RFC 6761 §6.4) that a WebSocket client writes in its Via and Contact (RFC 7118 §5). */
@Timeout(5)
class FlowRoutesInvalidNamesTest {

    @Test
    void invalidAndEveryNameUnderItInAnyCaseAndNothingElse() {
        assertThat(FlowRoutes.isInvalid("df7jal23ls0d.invalid")).isTrue();
        assertThat(FlowRoutes.isInvalid("DF7JAL23LS0D.Invalid")).isTrue();
        assertThat(FlowRoutes.isInvalid("invalid")).isTrue();
        assertThat(FlowRoutes.isInvalid("invalid.example.com")).isFalse();
        assertThat(FlowRoutes.isInvalid("notinvalid")).isFalse();
        assertThat(FlowRoutes.isInvalid("x")).isFalse();
        assertThat(FlowRoutes.isInvalid("10.0.0.5")).isFalse();
    }
}
